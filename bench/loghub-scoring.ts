/**
 * The Loghub scores of a parse, as `../shared/datasets/loghub/README.md` defines them:
 * GA (logparser's grouping accuracy), FGA (Loghub-2.0's F1 of grouping accuracy) and PA (Loghub-2.0's
 * parsing accuracy). Pure: the caller reads the files.
 */

export interface LoghubScores {
  /** Lines whose predicted group holds exactly the lines of their true group, over all lines. */
  groupingAccuracy: number;
  /** F1 of the share of predicted groups that equal a true group and of true groups that are found. */
  groupingF1: number;
  /** Lines whose predicted template string equals the true one character for character. */
  parsingAccuracy: number;
  predictedGroups: number;
  trueGroups: number;
}

export interface ParsedLine {
  trueEvent: string;
  trueTemplate: string;
  predictedGroup: string;
  predictedTemplate: string;
}

export function scoreParse(lines: readonly ParsedLine[]): LoghubScores {
  const trueGroups = groupLines(lines.map((line) => line.trueEvent));
  const predictedGroups = groupLines(lines.map((line) => line.predictedGroup));
  let correctLines = 0;
  let correctGroups = 0;
  for (const members of predictedGroups.values()) {
    const first = lines[members[0] as number] as ParsedLine;
    const truth = trueGroups.get(first.trueEvent) as number[];
    // Equal sets: same size and every member shares the first member's true event.
    if (truth.length === members.length && members.every((index) => (lines[index] as ParsedLine).trueEvent === first.trueEvent)) {
      correctLines += members.length;
      correctGroups += 1;
    }
  }
  const precision = predictedGroups.size === 0 ? 0 : correctGroups / predictedGroups.size;
  const recall = trueGroups.size === 0 ? 0 : correctGroups / trueGroups.size;
  const parsedExactly = lines.filter((line) => line.predictedTemplate === line.trueTemplate).length;
  return {
    groupingAccuracy: lines.length === 0 ? 0 : correctLines / lines.length,
    groupingF1: precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall),
    parsingAccuracy: lines.length === 0 ? 0 : parsedExactly / lines.length,
    predictedGroups: predictedGroups.size,
    trueGroups: trueGroups.size,
  };
}

/** Line indexes by group key. */
function groupLines(keys: readonly string[]): Map<string, number[]> {
  const groups = new Map<string, number[]>();
  keys.forEach((key, index) => {
    const members = groups.get(key);
    if (members === undefined) groups.set(key, [index]);
    else members.push(index);
  });
  return groups;
}

/** Rows of a CSV with RFC 4180 quoting (Loghub's truth.csv quotes templates with commas and quotes). */
export function parseCsvRows(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let index = 0; index < text.length; index += 1) {
    const character = text[index] as string;
    if (quoted) {
      if (character !== '"') cell += character;
      else if (text[index + 1] === '"') {
        cell += '"';
        index += 1;
      } else quoted = false;
    } else if (character === '"') quoted = true;
    else if (character === ',') {
      row.push(cell);
      cell = '';
    } else if (character === '\n' || character === '\r') {
      if (character === '\r' && text[index + 1] === '\n') index += 1;
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
    } else cell += character;
  }
  if (cell !== '' || row.length > 0) {
    row.push(cell);
    rows.push(row);
  }
  return rows;
}
