/**
 * Flat rows of word ids (n-grams of one order: row i is ids[i·width .. i·width + width)) and the
 * sorting, counting and searching the language-model builder does on them.
 */

/** Compares row i of `a` with row j of `b`, both `width` ids wide. */
export function compareRows(
  a: Uint32Array,
  i: number,
  b: Uint32Array,
  j: number,
  width: number,
): number {
  const ai = i * width;
  const bj = j * width;
  for (let k = 0; k < width; k++) {
    const d = a[ai + k]! - b[bj + k]!;
    if (d !== 0) return d;
  }
  return 0;
}

/** Distinct rows in sorted order, with how often each occurred. */
export interface CountedRows {
  ids: Uint32Array;
  counts: Uint32Array;
  width: number;
  readonly length: number;
}

/**
 * Sorts rows and merges equal ones, adding their counts (each row counts `weights[i]`, or 1).
 *
 * @example
 * countRows(Uint32Array.of(2, 1, 2), 1); // ids [1, 2], counts [1, 2]
 */
export function countRows(ids: Uint32Array, width: number, weights?: Uint32Array): CountedRows {
  const total = width === 0 ? 0 : ids.length / width;
  const order = new Uint32Array(total);
  for (let i = 0; i < total; i++) order[i] = i;
  order.sort((i, j) => compareRows(ids, i, ids, j, width));
  const outIds: number[] = [];
  const outCounts: number[] = [];
  let previous = -1;
  for (let r = 0; r < total; r++) {
    const i = order[r]!;
    const weight = weights ? weights[i]! : 1;
    if (previous >= 0 && compareRows(ids, previous, ids, i, width) === 0) {
      outCounts[outCounts.length - 1]! += weight;
    } else {
      for (let k = 0; k < width; k++) outIds.push(ids[i * width + k]!);
      outCounts.push(weight);
    }
    previous = i;
  }
  return {
    ids: Uint32Array.from(outIds),
    counts: Uint32Array.from(outCounts),
    width,
    length: outCounts.length,
  };
}

/**
 * Index of the row equal to query[from .. from + width) in sorted distinct rows, or -1.
 *
 * @example
 * findRow(rows, Uint32Array.of(7, 3), 0); // index of the bigram (7, 3)
 */
export function findRow(rows: CountedRows, query: Uint32Array, from: number): number {
  const { ids, width } = rows;
  let low = 0;
  let high = rows.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    let d = 0;
    for (let k = 0; k < width && d === 0; k++) d = ids[mid * width + k]! - query[from + k]!;
    if (d < 0) low = mid + 1;
    else if (d > 0) high = mid;
    else return mid;
  }
  return -1;
}
