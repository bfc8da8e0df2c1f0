/**
 * The call graph the engine ranks over: the catalogue's edges, and edges the traces showed that the
 * catalogue lacks. Pure.
 *
 * The catalogue is written by people and falls behind the code (a new dependency ships before
 * anyone edits the YAML), or is never filled in at all; traces record the calls actually made. An
 * edge missing from the graph hides the path a fault climbed to its symptom, and the engine then
 * blames the symptom. So discovered edges are added; catalogued ones stay even when no trace shows
 * them, since traces are sampled and a rare call (a nightly job, a fallback) may simply not be in
 * the sample.
 */
export function mergeCallGraph(
  catalogued: ReadonlyArray<readonly [string, string]>,
  discovered: ReadonlyArray<readonly [string, string]>,
  /** Only edges between these services: the engine ranks these and nothing else. */
  services: ReadonlySet<string>,
): Array<[string, string]> {
  const inScope = ([caller, callee]: readonly [string, string]) => services.has(caller) && services.has(callee);
  // The catalogue's edges exactly as before traces were read, so a graph traces add nothing to ranks as it did.
  const graph = catalogued.filter(inScope).map(([caller, callee]): [string, string] => [caller, callee]);
  const seen = new Set(graph.map(([caller, callee]) => `${caller}\0${callee}`));
  for (const [caller, callee] of discovered) {
    const key = `${caller}\0${callee}`;
    if (caller === callee || !inScope([caller, callee]) || seen.has(key)) continue;
    seen.add(key);
    graph.push([caller, callee]);
  }
  return graph;
}
