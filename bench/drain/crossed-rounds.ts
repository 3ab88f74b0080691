/**
 * Where drain-cost's recorder stands, round by round (issue #23 item 3): a
 * crossed design, so that what differs between the two database copies cancels
 * out of the recorder's measure.
 *
 * Two copies of the same data (x and y) take load at the same time in every
 * round (simultaneous-load.ts); one of them carries the recorder's triggers
 * (the carrier) and the other has none. The carrier goes x y y x over four
 * rounds (the triggers move every second round): over any four rounds each
 * copy carries the recorder in two, so a copy that is faster (its layout, its
 * place in the cache, the order it was made in) is on the side with the
 * recorder as often as on the side without; and the rounds each copy carries
 * it lie as early as late on average (x: rounds 1 and 4, y: 2 and 3), so a
 * slow drift of the machine is on neither copy's side.
 *
 * Why two copies rather than one whose triggers come and go: loaded at once,
 * the two sides need two databases; and an earlier design's fixed copies showed
 * how large a copy effect is on this machine (the new version, whose writes
 * never call the recorder, differed by as much as the old), so the crossing
 * both cancels that effect and measures it (x against y with the recorder in
 * the same state), and a reader sees what it removed.
 */
export type Copy = 'x' | 'y';
export const COPIES: readonly Copy[] = ['x', 'y'];

export type RecorderSide = 'recording' | 'without';
export const RECORDER_SIDES: readonly RecorderSide[] = ['recording', 'without'];

export interface PlannedSegment {
  copy: Copy;
  side: RecorderSide;
}

const CARRIERS: readonly Copy[] = ['x', 'y', 'y', 'x'];

/** The copy that carries the recorder in round `index` of a run (0-based). */
export function carrierOf(index: number): Copy {
  return CARRIERS[index % CARRIERS.length]!;
}

export const otherCopy = (copy: Copy): Copy => (copy === 'x' ? 'y' : 'x');

/** The two segments of round `index`, one per copy, in COPIES order: they run at the same time. */
export function roundSegments(index: number): PlannedSegment[] {
  const carrier = carrierOf(index);
  return COPIES.map((copy) => ({ copy, side: copy === carrier ? 'recording' : 'without' }));
}
