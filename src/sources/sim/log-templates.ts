/**
 * What each simulated service writes to its log. Holes in `{}` are filled with keyed values
 * (ids, durations, amounts) so the same template yields many distinct lines, as real logs do;
 * that is what the log template miner has to see through.
 */

export interface ServiceLogTemplates {
  info: string[];
  /** Everyday failures, unrelated to any scenario. */
  error: string[];
}

export const SERVICE_LOG_TEMPLATES: Record<string, ServiceLogTemplates> = {
  frontend: {
    info: ['GET /product/{sku} 200 {ms}ms', 'GET / 200 {ms}ms', 'POST /cart/items sku={sku} qty={n} 201 {ms}ms', 'Session {id} started from {ip}', 'GET /search?q={term} 200 {ms}ms'],
    error: ['GET /product/{sku} 500 {ms}ms: template render failed', 'Client aborted request {id} after {ms}ms'],
  },
  checkout: {
    info: ['Checkout {id} started for user {user}', 'Checkout {id} completed: order {order} total={amount} EUR', 'Shipping quote accepted for checkout {id}: {amount} EUR'],
    error: ['Checkout {id} failed validation: address postcode {n} not recognised'],
  },
  'order-service': {
    info: ['Order {order} created for user {user} total={amount} EUR', 'Order {order} status changed to PAID', 'Fetched {n} orders for user {user} in {ms}ms'],
    error: ['Order {order} rejected: item {sku} out of stock'],
  },
  payment: {
    info: ['Charge {id} authorised amount={amount} EUR card=****{last4}', 'Refund {id} processed amount={amount} EUR', 'Fraud score {percent} for charge {id}'],
    error: ['Charge {id} declined by issuer: insufficient funds'],
  },
  cart: {
    info: ['Cart {id} updated: {n} items', 'Cart {id} loaded from cache in {ms}ms', 'Cart {id} merged into user {user}'],
    error: ['Cart {id} update conflict: version {n} is stale'],
  },
  catalogue: {
    info: ['Search "{term}" returned {n} products in {ms}ms', 'Product {sku} served from cache', 'Price list refreshed: {n} products'],
    error: ['Product {sku} has no price in currency EUR'],
  },
  shipping: {
    info: ['Quote {id}: {n} parcels via DHL, {amount} EUR', 'Shipment {id} label created', 'Tracking update for shipment {id}: IN_TRANSIT'],
    error: ['Carrier API rejected shipment {id}: invalid postcode'],
  },
  user: {
    info: ['User {user} logged in', 'Token refreshed for user {user}', 'Profile {user} updated'],
    error: ['Login failed for user {user}: bad credentials'],
  },
  database: {
    info: ['LOG: checkpoint complete: wrote {n} buffers ({percent}%)', 'LOG: automatic vacuum of table "shop.public.orders": index scans: {n}', 'LOG: connection authorized: user=shop database=shop'],
    error: ['ERROR: duplicate key value violates unique constraint "orders_pkey"'],
  },
  cache: {
    info: ['Accepted connection from {ip}:{port}', '{n} changes in 60 seconds. Saving...', 'Background saving terminated with success'],
    error: ['Error accepting a client connection: Connection reset by peer'],
  },
};

/** What a caller logs when a dependency fails it, by kind of dependency. */
export function upstreamErrorTemplates(dependency: string): string[] {
  if (dependency === 'database') {
    return ['Timeout acquiring connection from pool after {ms}ms (active={max}, idle=0, waiting={n})', 'SQL query failed: canceling statement due to statement timeout'];
  }
  if (dependency === 'cache') return ['Redis command timed out after {ms}ms: GET session:{id}'];
  return [`Call to ${dependency} failed: 503 Service Unavailable ({ms}ms)`, `Timeout after {ms}ms calling ${dependency}`, `Circuit breaker for ${dependency} is OPEN after {n} failures`];
}

/** What a caller logs when a dependency is slow but answers. */
export function upstreamSlowTemplates(dependency: string): string[] {
  if (dependency === 'database') return ['Slow query: {ms}ms waiting for a pooled connection (active={max}, waiting={n})'];
  return [`Slow call to ${dependency}: {ms}ms`];
}

export const SLOW_REQUEST_TEMPLATES = ['Slow request {id} took {ms}ms'];
