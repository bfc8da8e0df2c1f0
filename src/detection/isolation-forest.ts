/**
 * Isolation Forest (Liu, Ting & Zhou 2008) over multivariate rows, built the way scikit-learn's
 * `IsolationForest` builds it, so its scores mean the same thing: each tree is grown on ψ rows
 * drawn without replacement, every split picks a feature and a threshold uniformly at random, and
 * a row's score is s(x) = 2^(-E[h(x)] / c(ψ)) in [0, 1], higher = more anomalous (scikit-learn's
 * `score_samples` returns its negative).
 *
 * Where scikit-learn's splitter draws a feature that has no spread among the node's rows, it
 * draws again among the features not yet found constant; so do we, and a node whose rows are
 * identical on every feature stays a leaf (its path is credited c(rows), like any leaf). We test
 * "no spread" exactly (max = min); scikit-learn uses max - min <= 1e-7 on float32 copies of the
 * data, which only matters for signals that vary by less than that.
 *
 * The forest is flat typed arrays (one node table for all trees), which keeps scoring a tight loop
 * and lets `serialiseIsolationForest` store a model in Redis for another worker to score with,
 * bit for bit. Pure: no I/O, no clock, randomness only from the seed.
 */
import { Buffer } from 'node:buffer';
import { AiopsError, ErrorCode, inputError } from '../errors.js';
import { SeededRandom } from './seeded-random.js';

export interface IsolationForestOptions {
  /** Number of trees (scikit-learn's `n_estimators`). Default 100. */
  trees?: number;
  /**
   * Rows drawn without replacement for each tree, ψ (scikit-learn's `max_samples`). Default
   * min(256, number of rows); a larger value is clipped to the number of rows, as scikit-learn does.
   */
  sampleSize?: number;
  /** Depth at which a node stops splitting. Default ceil(log2(max(ψ, 2))), as scikit-learn. */
  maxDepth?: number;
  /** Seed of the generator: the same rows, options and seed give the same model. Default 0. */
  seed?: number;
}

/**
 * A fitted forest. Node `i` is a leaf when `feature[i]` is -1; otherwise rows with
 * `row[feature[i]] <= threshold[i]` go to `left[i]`, the others to `right[i]` (indices into the
 * same tables; a child always comes after its parent). `size[i]` is how many of the tree's ψ
 * training rows reached the node. Tree `t` owns nodes `treeStarts[t]` to `treeStarts[t + 1] - 1`
 * and its root is the first of them.
 */
export interface IsolationForestModel {
  readonly featureCount: number;
  readonly sampleSize: number;
  readonly maxDepth: number;
  readonly treeStarts: Int32Array;
  readonly feature: Int32Array;
  readonly threshold: Float64Array;
  readonly left: Int32Array;
  readonly right: Int32Array;
  readonly size: Int32Array;
}

export type IsolationForestRows = ReadonlyArray<ArrayLike<number>>;

const DEFAULTS = { trees: 100, sampleSize: 256, seed: 0 };
const LEAF = -1;
const EULER_GAMMA = 0.5772156649015329;
const MODEL_KIND = 'isolation-forest';
const MODEL_VERSION = 1;
const SCORING_BLOCK_ROWS = 4096;

/** Fits a forest on `rows` (all of the same length, finite). Throws AIOPS_INPUT_INVALID otherwise. */
export function fitIsolationForest(rows: IsolationForestRows, options: IsolationForestOptions = {}): IsolationForestModel {
  // `??` rather than a spread, so an option passed as undefined still gets its default.
  const settings = {
    trees: options.trees ?? DEFAULTS.trees,
    sampleSize: options.sampleSize ?? DEFAULTS.sampleSize,
    seed: options.seed ?? DEFAULTS.seed,
  };
  const rowCount = rows.length;
  if (rowCount === 0) throw inputError('isolation forest rows', 'expected at least one row');
  const featureCount = rows[0]!.length;
  if (featureCount === 0) throw inputError('isolation forest rows', 'expected at least one feature per row');
  requireWholeNumber('trees', settings.trees, 1);
  requireWholeNumber('sampleSize', settings.sampleSize, 1);
  if (!Number.isFinite(settings.seed)) throw inputError('isolation forest seed', `expected a finite number, got ${settings.seed}`);
  const sampleSize = Math.min(settings.sampleSize, rowCount);
  const maxDepth = options.maxDepth ?? Math.ceil(Math.log2(Math.max(sampleSize, 2)));
  requireWholeNumber('maxDepth', maxDepth, 0);

  const data = new Float64Array(rowCount * featureCount);
  rows.forEach((row, rowIndex) => copyRow(row, rowIndex, featureCount, data, rowIndex * featureCount));

  const random = new SeededRandom(settings.seed);
  const nodesPerTree = Math.min(2 * sampleSize - 1, 2 ** (maxDepth + 1) - 1);
  const capacity = settings.trees * nodesPerTree;
  const feature = new Int32Array(capacity);
  const threshold = new Float64Array(capacity);
  const left = new Int32Array(capacity);
  const right = new Int32Array(capacity);
  const size = new Int32Array(capacity);
  const treeStarts = new Int32Array(settings.trees + 1);

  // A permutation of all rows, partially reshuffled for each tree: the first ψ entries after a
  // partial Fisher-Yates pass are a uniform sample without replacement whatever order the
  // previous tree left, so each tree costs O(ψ) rather than O(n).
  const permutation = Int32Array.from({ length: rowCount }, (_, index) => index);
  const nodeRows = new Int32Array(sampleSize);
  const candidateFeatures = new Int32Array(featureCount);
  // Pending nodes: index, first and past-last position in nodeRows, depth.
  const pending: number[] = [];
  let nodeCount = 0;

  for (let tree = 0; tree < settings.trees; tree += 1) {
    treeStarts[tree] = nodeCount;
    for (let position = 0; position < sampleSize; position += 1) {
      const swapWith = position + random.nextInt(rowCount - position);
      const chosen = permutation[swapWith]!;
      permutation[swapWith] = permutation[position]!;
      permutation[position] = chosen;
      nodeRows[position] = chosen;
    }
    pending.push(nodeCount, 0, sampleSize, 0);
    nodeCount += 1;
    while (pending.length > 0) {
      const depth = pending.pop()!;
      const end = pending.pop()!;
      const start = pending.pop()!;
      const node = pending.pop()!;
      size[node] = end - start;
      feature[node] = LEAF;
      if (depth >= maxDepth || end - start < 2) continue;

      // Like scikit-learn's random splitter: draw a feature uniformly among those not yet found
      // constant in this node, and draw again when the one drawn has no spread here; a node whose
      // rows are identical on every feature stays a leaf.
      for (let index = 0; index < featureCount; index += 1) candidateFeatures[index] = index;
      let remaining = featureCount;
      let splitFeature = LEAF;
      let lowest = 0;
      let highest = 0;
      while (remaining > 0) {
        const pick = random.nextInt(remaining);
        const candidate = candidateFeatures[pick]!;
        lowest = Infinity;
        highest = -Infinity;
        for (let position = start; position < end; position += 1) {
          const value = data[nodeRows[position]! * featureCount + candidate]!;
          if (value < lowest) lowest = value;
          if (value > highest) highest = value;
        }
        if (highest > lowest) {
          splitFeature = candidate;
          break;
        }
        remaining -= 1;
        candidateFeatures[pick] = candidateFeatures[remaining]!;
        candidateFeatures[remaining] = candidate;
      }
      if (splitFeature === LEAF) continue;

      let splitValue = lowest + random.next() * (highest - lowest);
      // Rounding can land on the maximum, which would send every row left; scikit-learn falls
      // back to the minimum, which still separates at least one row on each side.
      if (splitValue >= highest) splitValue = lowest;
      let boundary = start;
      for (let position = start; position < end; position += 1) {
        const row = nodeRows[position]!;
        if (data[row * featureCount + splitFeature]! <= splitValue) {
          nodeRows[position] = nodeRows[boundary]!;
          nodeRows[boundary] = row;
          boundary += 1;
        }
      }
      feature[node] = splitFeature;
      threshold[node] = splitValue;
      left[node] = nodeCount;
      right[node] = nodeCount + 1;
      pending.push(nodeCount + 1, boundary, end, depth + 1);
      pending.push(nodeCount, start, boundary, depth + 1);
      nodeCount += 2;
    }
  }
  treeStarts[settings.trees] = nodeCount;

  return {
    featureCount,
    sampleSize,
    maxDepth,
    treeStarts,
    feature: feature.slice(0, nodeCount),
    threshold: threshold.slice(0, nodeCount),
    left: left.slice(0, nodeCount),
    right: right.slice(0, nodeCount),
    size: size.slice(0, nodeCount),
  };
}

/**
 * Scores each row: 2^(-mean path length / c(ψ)) in [0, 1], higher = more anomalous; about 0.5 and
 * below is ordinary. A path ending in a leaf that still holds k training rows is credited c(k),
 * the expected depth of the unbuilt subtree, as in the paper and scikit-learn.
 */
export function scoreIsolationForest(model: IsolationForestModel, rows: IsolationForestRows): Float64Array {
  const { featureCount, feature, threshold, left, right, size, treeStarts } = model;
  const treeCount = treeStarts.length - 1;
  // Each node's depth plus, for a leaf, c(rows it still holds): children come after their
  // parent, so one forward pass fills it and the walk below only has to find the leaf.
  const pathAtNode = new Float64Array(feature.length);
  for (let tree = 0; tree < treeCount; tree += 1) {
    const end = treeStarts[tree + 1]!;
    for (let node = treeStarts[tree]!; node < end; node += 1) {
      if (feature[node] === LEAF) continue;
      pathAtNode[left[node]!] = pathAtNode[node]! + 1;
      pathAtNode[right[node]!] = pathAtNode[node]! + 1;
    }
  }
  for (let node = 0; node < feature.length; node += 1) {
    if (feature[node] === LEAF) pathAtNode[node] = pathAtNode[node]! + averagePathLength(size[node]!);
  }
  const normaliser = treeCount * averagePathLength(model.sampleSize);
  const scores = new Float64Array(rows.length);
  // Rows go through in blocks, every tree over the whole block: one tree's nodes and one block
  // stay in cache together, which is about twice as fast as walking all trees row by row.
  const blockRows = Math.min(rows.length, SCORING_BLOCK_ROWS);
  const block = new Float64Array(blockRows * featureCount);
  const totalPath = new Float64Array(blockRows);

  for (let blockStart = 0; blockStart < rows.length; blockStart += blockRows) {
    const blockEnd = Math.min(rows.length, blockStart + blockRows);
    for (let rowIndex = blockStart; rowIndex < blockEnd; rowIndex += 1) {
      copyRow(rows[rowIndex]!, rowIndex, featureCount, block, (rowIndex - blockStart) * featureCount);
    }
    totalPath.fill(0);
    for (let tree = 0; tree < treeCount; tree += 1) {
      const root = treeStarts[tree]!;
      for (let offset = 0, base = 0; offset < blockEnd - blockStart; offset += 1, base += featureCount) {
        let node = root;
        let splitFeature = feature[node]!;
        while (splitFeature !== LEAF) {
          node = block[base + splitFeature]! <= threshold[node]! ? left[node]! : right[node]!;
          splitFeature = feature[node]!;
        }
        totalPath[offset] = totalPath[offset]! + pathAtNode[node]!;
      }
    }
    for (let offset = 0; offset < blockEnd - blockStart; offset += 1) {
      // A forest grown on a single row has c(1) = 0; scikit-learn scores everything 0.5 then.
      scores[blockStart + offset] = normaliser === 0 ? 0.5 : 2 ** (-totalPath[offset]! / normaliser);
    }
  }
  return scores;
}

/**
 * c(n): the average path length of an unsuccessful search in a binary search tree of n keys,
 * 2 H(n - 1) - 2 (n - 1) / n with H(i) ≈ ln(i) + γ; c(1) = 0, c(2) = 1 (scikit-learn's definition).
 */
export function averagePathLength(count: number): number {
  if (count <= 1) return 0;
  if (count === 2) return 1;
  return 2 * (Math.log(count - 1) + EULER_GAMMA) - (2 * (count - 1)) / count;
}

/** JSON text with the node tables as little-endian base64; `deserialiseIsolationForest` reads it back exactly. */
export function serialiseIsolationForest(model: IsolationForestModel): string {
  return JSON.stringify({
    kind: MODEL_KIND,
    version: MODEL_VERSION,
    featureCount: model.featureCount,
    sampleSize: model.sampleSize,
    maxDepth: model.maxDepth,
    treeStarts: encodeArray(model.treeStarts),
    feature: encodeArray(model.feature),
    threshold: encodeArray(model.threshold),
    left: encodeArray(model.left),
    right: encodeArray(model.right),
    size: encodeArray(model.size),
  });
}

/**
 * Reads a model written by `serialiseIsolationForest`, checking every node so that corrupt or
 * foreign text fails here with AIOPS_INPUT_INVALID instead of scoring garbage or looping.
 */
export function deserialiseIsolationForest(text: string): IsolationForestModel {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new AiopsError(ErrorCode.InputInvalid, 'isolation forest model: not JSON', { cause: error });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw modelError('expected a JSON object');
  const fields = parsed as Record<string, unknown>;
  if (fields.kind !== MODEL_KIND) throw modelError(`expected kind "${MODEL_KIND}", got ${JSON.stringify(fields.kind)}`);
  if (fields.version !== MODEL_VERSION) {
    throw modelError(`version ${JSON.stringify(fields.version)} is not supported (this build reads version ${MODEL_VERSION}); retrain the model`);
  }
  const featureCount = readWholeNumber(fields, 'featureCount', 1);
  const sampleSize = readWholeNumber(fields, 'sampleSize', 1);
  const maxDepth = readWholeNumber(fields, 'maxDepth', 0);
  const treeStarts = decodeInt32(fields, 'treeStarts');
  const feature = decodeInt32(fields, 'feature');
  const threshold = decodeFloat64(fields, 'threshold');
  const left = decodeInt32(fields, 'left');
  const right = decodeInt32(fields, 'right');
  const size = decodeInt32(fields, 'size');

  const nodeCount = feature.length;
  if ([threshold, left, right, size].some((table) => table.length !== nodeCount)) throw modelError('node tables differ in length');
  if (treeStarts.length < 2 || treeStarts[0] !== 0 || treeStarts[treeStarts.length - 1] !== nodeCount) {
    throw modelError('treeStarts must run from 0 to the node count');
  }
  for (let tree = 0; tree + 1 < treeStarts.length; tree += 1) {
    const first = treeStarts[tree]!;
    const end = treeStarts[tree + 1]!;
    if (end <= first) throw modelError(`tree ${tree} has no nodes`);
    if (size[first] !== sampleSize) throw modelError(`tree ${tree}: root holds ${size[first]} rows, expected ${sampleSize}`);
    for (let node = first; node < end; node += 1) {
      if (size[node]! < 0 || size[node]! > sampleSize) throw modelError(`node ${node}: size ${size[node]} is outside 0 to ${sampleSize}`);
      if (feature[node] === LEAF) continue;
      const inRange = (child: number): boolean => child > node && child < end;
      if (feature[node]! < 0 || feature[node]! >= featureCount || !inRange(left[node]!) || !inRange(right[node]!) || !Number.isFinite(threshold[node])) {
        throw modelError(`node ${node} is malformed`);
      }
    }
  }
  return { featureCount, sampleSize, maxDepth, treeStarts, feature, threshold, left, right, size };
}

function copyRow(row: ArrayLike<number>, rowIndex: number, featureCount: number, target: Float64Array, offset: number): void {
  if (row.length !== featureCount) throw inputError(`isolation forest row ${rowIndex}`, `expected ${featureCount} values, got ${row.length}`);
  for (let column = 0; column < featureCount; column += 1) {
    const value = row[column]!;
    // NaN would silently take the right branch of every split; a missing signal must be filled upstream.
    if (!Number.isFinite(value)) throw inputError(`isolation forest row ${rowIndex} column ${column}`, `expected a finite number, got ${value}`);
    target[offset + column] = value;
  }
}

function requireWholeNumber(name: string, value: number, minimum: number): void {
  if (!Number.isInteger(value) || value < minimum) throw inputError(`isolation forest ${name}`, `expected a whole number >= ${minimum}, got ${value}`);
}

function modelError(reason: string): AiopsError {
  return new AiopsError(ErrorCode.InputInvalid, `isolation forest model: ${reason}`);
}

function readWholeNumber(fields: Record<string, unknown>, name: string, minimum: number): number {
  const value = fields[name];
  if (typeof value !== 'number' || !Number.isInteger(value) || value < minimum) throw modelError(`${name}: expected a whole number >= ${minimum}`);
  return value;
}

// Typed arrays use the machine's byte order; the stored form is always little-endian so a model
// written on one architecture reads the same on another.
const MACHINE_IS_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

function encodeArray(array: Int32Array | Float64Array): string {
  const bytes = Buffer.from(array.buffer, array.byteOffset, array.byteLength);
  if (MACHINE_IS_LITTLE_ENDIAN) return bytes.toString('base64');
  const copy = Buffer.from(bytes);
  return (array.BYTES_PER_ELEMENT === 8 ? copy.swap64() : copy.swap32()).toString('base64');
}

function decodeBytes(fields: Record<string, unknown>, name: string, bytesPerElement: number): ArrayBuffer {
  const text = fields[name];
  if (typeof text !== 'string' || !BASE64.test(text)) throw modelError(`${name}: expected base64 text`);
  const bytes = Buffer.from(text, 'base64');
  if (bytes.length % bytesPerElement !== 0) throw modelError(`${name}: ${bytes.length} bytes is not a whole number of ${bytesPerElement}-byte values`);
  if (!MACHINE_IS_LITTLE_ENDIAN && bytesPerElement === 8) bytes.swap64();
  if (!MACHINE_IS_LITTLE_ENDIAN && bytesPerElement === 4) bytes.swap32();
  // Copied into a fresh buffer: Buffer.from may hand back a slice of a shared pool at an offset
  // that a Float64Array cannot start at.
  const buffer = new ArrayBuffer(bytes.length);
  new Uint8Array(buffer).set(bytes);
  return buffer;
}

function decodeInt32(fields: Record<string, unknown>, name: string): Int32Array {
  return new Int32Array(decodeBytes(fields, name, 4));
}

function decodeFloat64(fields: Record<string, unknown>, name: string): Float64Array {
  return new Float64Array(decodeBytes(fields, name, 8));
}
