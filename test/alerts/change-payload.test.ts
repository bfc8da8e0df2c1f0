import { describe, expect, it } from 'vitest';
import { parseChangeEvents } from '../../src/alerts/change-payload.js';
import { EXAMPLE_CATALOGUE_PATH, loadCatalogue, type Catalogue } from '../../src/catalogue.js';
import { AiopsError, ErrorCode } from '../../src/errors.js';

const catalogue = loadCatalogue(EXAMPLE_CATALOGUE_PATH);
const NOW = Date.UTC(2026, 10, 24, 15, 0, 0);

/** The example catalogue with payment's Deployment named otherwise, as pipelines often are. */
const renamed: Catalogue = { ...catalogue, services: Object.assign(Object.create(null), catalogue.services, { payment: { ...catalogue.services.payment!, deployment: 'payment-api' } }) };

function refusal(payload: unknown, using: Catalogue = catalogue): AiopsError {
  try {
    parseChangeEvents(payload, using, NOW);
  } catch (error) {
    if (error instanceof AiopsError) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

/** What GitHub sends for `deployment_status` (trimmed of the repository's and users' many URLs). */
function deploymentStatus(overrides: { state?: string; payload?: unknown; repository?: string } = {}): Record<string, unknown> {
  return {
    action: 'created',
    deployment_status: {
      id: 1_904_371_245,
      state: overrides.state ?? 'success',
      environment: 'production',
      description: null,
      target_url: 'https://github.com/acme/payment/actions/runs/9876543210',
      log_url: 'https://github.com/acme/payment/actions/runs/9876543210/job/1',
      created_at: '2026-11-24T14:40:10Z',
      updated_at: '2026-11-24T14:40:12Z',
      creator: { login: 'github-actions[bot]' },
    },
    deployment: {
      id: 1_345_220_001,
      sha: '3f9a12c0d4e5b6a7980112233445566778899aab',
      ref: 'v2.5.0',
      task: 'deploy',
      payload: overrides.payload ?? {},
      environment: 'production',
      description: 'new card-token flow',
      creator: { login: 'alice' },
      created_at: '2026-11-24T14:38:00Z',
    },
    repository: { id: 1, name: overrides.repository ?? 'payment', full_name: 'acme/payment', html_url: 'https://github.com/acme/payment' },
    sender: { login: 'alice' },
  };
}

/** What the README's argocd-notifications-cm template sends. */
function argoCd(overrides: Record<string, string> = {}): Record<string, unknown> {
  return {
    argocd: {
      app: 'payment',
      namespace: 'shop',
      revision: '3f9a12c0d4e5b6a7980112233445566778899aab',
      kind: '',
      phase: 'Succeeded',
      syncStatus: 'Synced',
      healthStatus: 'Healthy',
      finishedAt: '2026-11-24T14:41:00Z',
      initiatedBy: 'bob',
      message: 'successfully synced (all tasks run)',
      url: 'https://argocd.example/applications/payment',
      ...overrides,
    },
  };
}

describe('the generic shape', () => {
  it('takes one event with every field, and dates it and names it as given', () => {
    const { events } = parseChangeEvents(
      { service: 'payment', kind: 'config', description: 'pool size 20 → 5', at: '2026-11-24T14:50:00Z', version: 'cfg-42', url: 'https://git.example/acme/config/commit/1', author: 'carol', id: 'change-42' },
      catalogue,
      NOW,
    );
    expect(events).toEqual([
      { id: 'change-42', service: 'payment', kind: 'config', description: 'pool size 20 → 5', at: Date.UTC(2026, 10, 24, 14, 50), version: 'cfg-42', url: 'https://git.example/acme/config/commit/1', author: 'carol', origin: 'generic' },
    ]);
  });

  it('dates an event without a time now, and gives the same content the same id whenever it comes', () => {
    const event = { service: 'cart', kind: 'feature-flag', description: 'new-checkout on for 10%' };
    const first = parseChangeEvents(event, catalogue, NOW).events[0]!;
    const again = parseChangeEvents({ ...event }, catalogue, NOW + 60_000).events[0]!;
    expect(first.at).toBe(NOW);
    expect(first.id).toMatch(/^generic:sha256:[0-9a-f]{32}$/);
    expect(again.id).toBe(first.id);
    expect(parseChangeEvents({ ...event, description: 'new-checkout on for 50%' }, catalogue, NOW).events[0]!.id).not.toBe(first.id);
  });

  it('takes an array, and a service named by its deployment or by an alias the catalogue gives it', () => {
    const { events } = parseChangeEvents(
      [
        { service: 'payment-api', kind: 'deploy', description: 'release 2.5.0', version: '2.5.0' },
        { service: 'cart', kind: 'rollback', description: 'back to 1.9', at: NOW - 60_000 },
        { service: 'orders', kind: 'config', description: 'pool size 20' },
        { service: 'DB', kind: 'config', description: 'max_connections 200' },
      ],
      renamed,
      NOW,
    );
    expect(events.map((event) => [event.service, event.kind, event.at])).toEqual([
      ['payment', 'deploy', NOW],
      ['cart', 'rollback', NOW - 60_000],
      ['order-service', 'config', NOW],
      ['database', 'config', NOW],
    ]);
  });

  it.each([
    [{ kind: 'deploy', description: 'x' }, 'service: expected a string'],
    [{ service: 'payment', kind: 'release', description: 'x' }, 'kind: expected one of deploy, config, rollback, feature-flag'],
    [{ service: 'payment', kind: 'deploy', description: '  ' }, 'description: expected a non-empty string'],
    [{ service: 'payment', kind: 'deploy', description: 'x', at: 'yesterday' }, 'at: expected an ISO 8601 time with a zone, like 2026-11-24T14:55:00Z'],
    [{ service: 'payment', kind: 'deploy', description: 'x', at: 1_764_000_000 }, 'at: expected milliseconds since the epoch (a number this small is seconds, or no time)'],
    [{ service: 'payment', kind: 'deploy', description: 'x', url: 'javascript:alert(1)' }, 'url: expected an http:// or https:// URL'],
    [{ service: 'payment', kind: 'deploy', description: 'x'.repeat(501) }, 'description: expected at most 500 characters'],
    [[{ service: 'payment', kind: 'deploy', description: 'x' }, { service: 'payment', kind: 'oops', description: 'y' }], '[1].kind: expected one of deploy, config, rollback, feature-flag'],
    [[], 'body: expected at least one change event'],
    ['deployed', 'body: expected a change event object, an array of them, a GitHub deployment_status event or an Argo CD notification'],
  ])('refuses %j naming the field', (payload, message) => {
    const error = refusal(payload);
    expect(error.code).toBe(ErrorCode.InputInvalid);
    expect(error.message).toBe(message);
  });

  it('refuses a service the catalogue does not hold as not found, naming the field and what it may mean', () => {
    const error = refusal({ service: 'paymnet', kind: 'deploy', description: 'x' });
    expect(error.code).toBe(ErrorCode.NotFound);
    expect(error.message).toBe('service: unknown service "paymnet"; expected a catalogued service or its deployment (did you mean payment?)');
    expect(refusal([{ service: 'billing-v2', kind: 'deploy', description: 'x' }]).message).toMatch(/^\[0\]\.service: unknown service "billing-v2"; .*\(catalogued: frontend, checkout, order-service, /);
  });
});

describe('GitHub deployment_status', () => {
  it('records a successful deployment of the repository named after a service', () => {
    const { events, ignored } = parseChangeEvents(deploymentStatus(), catalogue, NOW);
    expect(ignored).toEqual([]);
    expect(events).toEqual([
      {
        id: 'github:deployment-status:1904371245',
        service: 'payment',
        kind: 'deploy',
        description: 'new card-token flow (to production)',
        at: Date.UTC(2026, 10, 24, 14, 40, 12),
        version: '3f9a12c0d4e5',
        url: 'https://github.com/acme/payment/actions/runs/9876543210',
        author: 'alice',
        origin: 'github',
      },
    ]);
  });

  it('takes the service, kind and version from the deployment payload', () => {
    const [event] = parseChangeEvents(deploymentStatus({ repository: 'monorepo', payload: { service: 'cart', kind: 'config', version: '2.5.0' } }), catalogue, NOW).events;
    expect(event).toMatchObject({ service: 'cart', kind: 'config', version: '2.5.0' });
  });

  it('ignores a deployment that did not succeed', () => {
    expect(parseChangeEvents(deploymentStatus({ state: 'failure' }), catalogue, NOW)).toEqual({ events: [], ignored: ['deployment_status.state is "failure": only "success" records a change'] });
  });

  it('names the field that is wrong or unknown', () => {
    const withoutSha = deploymentStatus();
    delete (withoutSha.deployment as Record<string, unknown>).sha;
    expect(refusal(withoutSha).message).toBe('deployment.sha: expected a string');
    const unknown = refusal(deploymentStatus({ repository: 'website' }));
    expect(unknown.code).toBe(ErrorCode.NotFound);
    expect(unknown.message).toMatch(/^repository\.name: unknown service "website"; /);
    expect(refusal(deploymentStatus({ payload: { service: 'nope' } })).message).toMatch(/^deployment\.payload\.service: unknown service "nope"; /);
  });
});

describe('Argo CD notifications', () => {
  it('records a sync that succeeded, the application named after the service', () => {
    const { events } = parseChangeEvents(argoCd(), catalogue, NOW);
    expect(events).toEqual([
      {
        id: `argocd:shop/payment@3f9a12c0d4e5b6a7980112233445566778899aab@${Date.UTC(2026, 10, 24, 14, 41)}`,
        service: 'payment',
        kind: 'deploy',
        description: 'Argo CD sync of payment: successfully synced (all tasks run)',
        at: Date.UTC(2026, 10, 24, 14, 41),
        version: '3f9a12c0d4e5',
        url: 'https://argocd.example/applications/payment',
        author: 'bob',
        origin: 'argocd',
      },
    ]);
  });

  it('maps an application named after the deployment, takes a kind, and treats empty template fields as absent', () => {
    const [event] = parseChangeEvents(argoCd({ app: 'payment-api', kind: 'config', initiatedBy: '', message: '', url: '' }), renamed, NOW).events;
    expect(event).toMatchObject({ service: 'payment', kind: 'config', description: 'Argo CD sync of payment-api' });
    expect(event).not.toHaveProperty('author');
    expect(event).not.toHaveProperty('url');
  });

  it('ignores a sync that failed, and refuses an application it cannot map', () => {
    expect(parseChangeEvents(argoCd({ phase: 'Failed' }), catalogue, NOW).ignored).toEqual(['argocd.phase is "Failed": only a sync that "Succeeded" records a change']);
    const error = refusal(argoCd({ app: 'guestbook' }));
    expect(error.code).toBe(ErrorCode.NotFound);
    expect(error.message).toMatch(/^argocd\.app: unknown service "guestbook"; expected an application named after a catalogued service or its deployment/);
    expect(refusal(argoCd({ kind: 'upgrade' })).message).toBe('argocd.kind: expected one of deploy, config, rollback, feature-flag');
  });
});
