/**
 * An online, one-pass log template miner after Drain (He et al., ICWS 2017): a message is masked
 * (src/logs/masks.ts), split on white space, each run of values folded into one `<*>` (so a list's
 * length does not change the token count) and routed through a fixed-depth tree, first by its
 * token count, then by its first tokens; in the leaf it joins the most similar template when enough
 * of its positions agree, and the positions that differ become `<*>`. A template keeps its id when it
 * generalises, so ids stay stable for the life of the miner and across `toJSON`/`fromJSON`.
 *
 * Memory bound: at most `maximumTemplates` templates are held. Past that, the least recently used
 * templates are candidates for eviction and the rarest of the oldest few goes, so a stream of unique
 * junk cannot push out the templates that matter. The tree holds only paths that lead to a live
 * template (a template's path is pruned when it is evicted), at most `depth - 1` nodes per template,
 * and each template holds its tokens and one example, so memory is O(maximumTemplates × longest
 * message) however long the stream runs, plus two fixed-size, direct-mapped caches (raw token to
 * masked token, and masked line to template). Messages longer than MAXIMUM_TOKENS tokens are cut
 * there.
 *
 * Pure: no I/O, no clock; the order of the messages is the only input.
 */
import { definedOnly } from '../defined-only.js';
import { DEFAULT_MASKS, type Mask, MaskingTokenizer, TokenizedLine, WILDCARD } from './masks.js';
import { closestTemplate, generalise, hasDigit } from './template-similarity.js';

export interface MinerOptions {
  /** Fraction of a template's positions a message must share to join it. Default 0.5. */
  similarityThreshold?: number;
  /** Depth of the routing tree, counting the root and the token-count level; `depth - 2` first tokens route. Default 4. */
  depth?: number;
  /** Most templates held at once; the rarest of the least recently used go first. Default 10,000. */
  maximumTemplates?: number;
  /** Masks applied before the defaults, e.g. a data set's own identifiers. Default none. */
  extraMasks?: readonly Mask[];
}

export interface MinedTemplate {
  id: string;
  template: string;
  count: number;
  /** The first message that formed the template, unmasked. */
  example: string;
}

export interface MinerMatch {
  templateId: string;
  template: string;
  /** True when this message created the template. */
  isNew: boolean;
}

/** Everything needed to resume mining: plain JSON. Options are not part of it; pass them again. */
export interface MinerState {
  version: 1;
  nextId: number;
  /** Least recently used first. */
  templates: Array<{ id: string; tokens: string[]; count: number; example: string }>;
}

const DEFAULTS = { similarityThreshold: 0.5, depth: 4, maximumTemplates: 10_000 } as const;
/** A node routes at most this many distinct tokens; later ones share the `<*>` branch (Drain's max_child). */
const MAXIMUM_CHILDREN = 100;
/** How many of the least recently used templates compete for eviction; the rarest of them goes. */
const EVICTION_CANDIDATES = 8;
/** Messages are cut at this many tokens, so one pathological line cannot hold unbounded memory. */
const MAXIMUM_TOKENS = 512;
/** Slots of the masked-line cache, a power of two; a few MiB at most. */
const RESOLVED_CACHE_SLOTS = 1 << 15;
/**
 * Slots it starts with: a log-mining pass restores a miner per service for a minute's few lines,
 * so a miner grows its cache (see `add`) rather than filling 32,768 slots it will not use.
 */
const RESOLVED_CACHE_INITIAL_SLOTS = 1 << 9;

/**
 * The tokenizer of miners with no masks of their own. Its tables (about 1 MiB) cache what each raw
 * token masks to, which is the same for every miner with the same masks, and tokenizing is
 * synchronous, so miners share it instead of each allocating and filling its own.
 */
let defaultTokenizer: MaskingTokenizer | undefined;

interface Template {
  id: string;
  tokens: string[];
  count: number;
  example: string;
  /** The routing keys from the root: the token count, then the first tokens' keys. */
  path: string[];
  /** `tokens` joined, kept until the template generalises, so a match does not join it again. */
  text: string | undefined;
  /** Neighbours in the recency list. */
  older: Template | undefined;
  newer: Template | undefined;
}

/** A masked message resolved to a template: valid while neither the tree's shape nor the leaf changed. */
interface Resolution {
  /** The masked message's tokens and their `TokenizedLine.hash`. */
  tokens: string[];
  hash: number;
  template: Template;
  leaf: TreeNode;
  leafVersion: number;
  shapeVersion: number;
}

interface TreeNode {
  children: Map<string, TreeNode>;
  templates: Template[];
  /** Bumped when a template joins or leaves this node or generalises. */
  version: number;
}

export class TemplateMiner {
  private readonly similarityThreshold: number;
  private readonly prefixTokens: number;
  private readonly maximumTemplates: number;
  private readonly tokenizer: MaskingTokenizer;
  private readonly root: TreeNode = newNode();
  /** Every live template, as a list from least to most recently used: moving one is O(1). */
  private oldest: Template | undefined;
  private newest: Template | undefined;
  private size = 0;
  private nextId = 1;
  /** Bumped when a tree node is made or dropped, which can change where a message is routed. */
  private shapeVersion = 0;
  /**
   * Masked messages to the template they last joined. Logs repeat their masked lines; while the
   * tree's shape and the leaf's templates are unchanged (counts and recency do not route), such a
   * line joins the same template again and changes nothing in it, so the tree walk and the
   * comparisons can be skipped. Direct-mapped by the line's hash, which the tokenizer builds from
   * its tokens' hashes, so a hit neither joins the tokens into a string nor hashes one; a newcomer
   * replaces whatever held its slot. Which lines are remembered changes no result, only the time.
   */
  private resolved: Array<Resolution | undefined> = new Array<Resolution | undefined>(RESOLVED_CACHE_INITIAL_SLOTS).fill(undefined);
  /** Lines resolved the long way since the cache last grew: past its size, it grows fourfold (up to RESOLVED_CACHE_SLOTS). */
  private resolvedMisses = 0;
  /** The current message's tokens, reused from message to message; copied only to be kept. */
  private readonly line = new TokenizedLine();

  constructor(options: MinerOptions = {}) {
    const settings = { ...DEFAULTS, ...definedOnly(options) };
    if (!(settings.similarityThreshold >= 0 && settings.similarityThreshold <= 1)) throw new RangeError(`similarityThreshold must be in [0,1], got ${settings.similarityThreshold}`);
    if (!Number.isInteger(settings.depth) || settings.depth < 3) throw new RangeError(`depth must be a whole number of at least 3, got ${settings.depth}`);
    if (!Number.isInteger(settings.maximumTemplates) || settings.maximumTemplates < 1) throw new RangeError(`maximumTemplates must be a whole number of at least 1, got ${settings.maximumTemplates}`);
    this.similarityThreshold = settings.similarityThreshold;
    this.prefixTokens = settings.depth - 2;
    this.maximumTemplates = settings.maximumTemplates;
    this.tokenizer = options.extraMasks?.length ? new MaskingTokenizer([...options.extraMasks, ...DEFAULT_MASKS]) : (defaultTokenizer ??= new MaskingTokenizer(DEFAULT_MASKS));
  }

  /** Learns from one message: it joins (and may generalise) the closest template or founds a new one. */
  add(message: string): MinerMatch {
    const line = this.line;
    this.tokenizer.tokenizeInto(message, MAXIMUM_TOKENS, line);
    const hash = line.hash();
    let slot = hash & (this.resolved.length - 1);
    const resolution = this.resolved[slot];
    if (resolution !== undefined && resolution.hash === hash && resolution.shapeVersion === this.shapeVersion && resolution.leaf.version === resolution.leafVersion && sameTokens(resolution.tokens, line)) {
      return this.joined(resolution.template);
    }
    this.resolvedMisses += 1;
    if (this.resolvedMisses > this.resolved.length && this.resolved.length < RESOLVED_CACHE_SLOTS) {
      // A cache: what it forgets changes no result, only the time.
      this.resolved = new Array<Resolution | undefined>(Math.min(RESOLVED_CACHE_SLOTS, 4 * this.resolved.length)).fill(undefined);
      this.resolvedMisses = 0;
      slot = hash & (this.resolved.length - 1);
    }
    const tokens = line.copy();
    const path = this.routingPath(tokens);
    const leaf = this.leafFor(path);
    const closest = closestTemplate(leaf.templates, tokens, this.similarityThreshold);
    if (closest !== undefined) {
      if (generalise(closest.tokens, tokens)) {
        closest.text = undefined;
        leaf.version += 1;
      }
      this.resolved[slot] = { tokens, hash, template: closest, leaf, leafVersion: leaf.version, shapeVersion: this.shapeVersion };
      return this.joined(closest);
    }
    const maskedMessage = tokens.join(' ');
    const template: Template = { id: `T${this.nextId}`, tokens, count: 1, example: message, path, text: maskedMessage, older: undefined, newer: undefined };
    this.nextId += 1;
    leaf.version += 1;
    leaf.templates.push(template);
    this.append(template);
    if (this.size > this.maximumTemplates) this.evictOne(template);
    return { templateId: template.id, template: maskedMessage, isNew: true };
  }

  /** The template a message would join, without learning from it; undefined when none is close enough. */
  match(message: string): MinerMatch | undefined {
    const tokens = this.tokenize(message);
    let node: TreeNode | undefined = this.root;
    for (const key of this.routingPath(tokens)) {
      node = node.children.get(key) ?? node.children.get(WILDCARD);
      if (node === undefined) return undefined;
    }
    const closest = closestTemplate(node.templates, tokens, this.similarityThreshold);
    return closest && { templateId: closest.id, template: textOf(closest), isNew: false };
  }

  /** The live templates, most frequent first. */
  templates(): MinedTemplate[] {
    return this.byRecency()
      .map((template) => ({ id: template.id, template: textOf(template), count: template.count, example: template.example }))
      .sort((left, right) => right.count - left.count || idOrder(left.id, right.id));
  }

  toJSON(): MinerState {
    return { version: 1, nextId: this.nextId, templates: this.byRecency().map(({ id, tokens, count, example }) => ({ id, tokens: [...tokens], count, example })) };
  }

  /** A miner that carries on where the saved one stopped: same templates, same ids, same recency. */
  static fromJSON(state: MinerState, options: MinerOptions = {}): TemplateMiner {
    if (state?.version !== 1 || !Array.isArray(state.templates)) throw new TypeError('not a TemplateMiner state (version 1)');
    const miner = new TemplateMiner(options);
    for (const saved of state.templates) {
      const path = miner.routingPath(saved.tokens);
      const template: Template = { id: saved.id, tokens: [...saved.tokens], count: saved.count, example: saved.example, path, text: undefined, older: undefined, newer: undefined };
      miner.leafFor(path).templates.push(template);
      miner.append(template);
    }
    miner.nextId = state.nextId;
    while (miner.size > miner.maximumTemplates) miner.evictOne(undefined);
    return miner;
  }

  private tokenize(message: string): string[] {
    return this.tokenizer.tokenize(message, MAXIMUM_TOKENS);
  }

  /**
   * Token count, then the first tokens; a token with a digit or a masked part routes as `<*>`, being
   * likely a variable: `wpad:<*>` goes where `<*>` (a masked `10.0.0.1:80`) goes.
   */
  private routingPath(tokens: readonly string[]): string[] {
    const path = [String(tokens.length)];
    const prefix = Math.min(this.prefixTokens, tokens.length);
    for (let index = 0; index < prefix; index += 1) {
      const token = tokens[index] as string;
      path.push(hasDigit(token) || token.includes(WILDCARD) ? WILDCARD : token);
    }
    return path;
  }

  /** The leaf at the end of a path, creating nodes on the way; a full node sends newcomers to `<*>`. */
  private leafFor(path: string[]): TreeNode {
    let node = this.root;
    for (let level = 0; level < path.length; level += 1) {
      let key = path[level] as string;
      let child = node.children.get(key);
      if (child === undefined && level > 0 && node.children.size >= MAXIMUM_CHILDREN) {
        key = WILDCARD;
        path[level] = WILDCARD;
        child = node.children.get(key);
      }
      if (child === undefined) {
        child = newNode();
        node.children.set(key, child);
        this.shapeVersion += 1;
      }
      node = child;
    }
    return node;
  }

  /** Counts a message that joined `template`, which becomes the most recently used. */
  private joined(template: Template): MinerMatch {
    template.count += 1;
    if (this.newest !== template) {
      this.unlink(template);
      this.append(template);
    }
    return { templateId: template.id, template: textOf(template), isNew: false };
  }

  private append(template: Template): void {
    template.older = this.newest;
    template.newer = undefined;
    if (this.newest === undefined) this.oldest = template;
    else this.newest.newer = template;
    this.newest = template;
    this.size += 1;
  }

  private unlink(template: Template): void {
    if (template.older === undefined) this.oldest = template.newer;
    else template.older.newer = template.newer;
    if (template.newer === undefined) this.newest = template.older;
    else template.newer.older = template.older;
    template.older = undefined;
    template.newer = undefined;
    this.size -= 1;
  }

  /** Every live template, least recently used first. */
  private byRecency(): Template[] {
    const templates: Template[] = [];
    for (let template = this.oldest; template !== undefined; template = template.newer) templates.push(template);
    return templates;
  }

  /** Drops the rarest of the least recently used templates (never `keep`, the one just made). */
  private evictOne(keep: Template | undefined): void {
    let victim: Template | undefined;
    let seen = 0;
    for (let template = this.oldest; template !== undefined; template = template.newer) {
      if (template === keep) continue;
      if (victim === undefined || template.count < victim.count) victim = template;
      seen += 1;
      if (seen >= EVICTION_CANDIDATES) break;
    }
    if (victim === undefined) return;
    this.unlink(victim);
    this.removeFromTree(victim);
  }

  private removeFromTree(template: Template): void {
    const nodes: TreeNode[] = [this.root];
    for (const key of template.path) {
      const child = (nodes[nodes.length - 1] as TreeNode).children.get(key);
      if (child === undefined) return;
      nodes.push(child);
    }
    const leaf = nodes[nodes.length - 1] as TreeNode;
    leaf.templates.splice(leaf.templates.indexOf(template), 1);
    leaf.version += 1;
    for (let level = template.path.length - 1; level >= 0; level -= 1) {
      const node = nodes[level + 1] as TreeNode;
      if (node.children.size > 0 || node.templates.length > 0) break;
      (nodes[level] as TreeNode).children.delete(template.path[level] as string);
      this.shapeVersion += 1;
    }
  }
}

/** Whether a remembered line's tokens are the current line's. */
function sameTokens(tokens: readonly string[], line: TokenizedLine): boolean {
  if (tokens.length !== line.count) return false;
  for (let index = 0; index < tokens.length; index += 1) if (tokens[index] !== line.tokens[index]) return false;
  return true;
}

function newNode(): TreeNode {
  return { children: new Map(), templates: [], version: 0 };
}

function textOf(template: Template): string {
  template.text ??= template.tokens.join(' ');
  return template.text;
}

function idOrder(left: string, right: string): number {
  return left.length - right.length || (left < right ? -1 : left > right ? 1 : 0);
}
