/**
 * The order of drain-cost's segments (issue #23 item 3): a crossed design, so
 * that what differs between the two database copies cancels out of the
 * recorder's measure.
 *
 * Two copies of the same data (x and y) take the load in turn; in each round
 * one of them carries the recorder's triggers (the carrier) and the other has
 * none. The carrier goes x y y x over four rounds (the triggers move every
 * second round), and the round's four segments go A B B A with A the side with
 * the recorder in even rounds and without it in odd ones. Over any four rounds
 * each copy carries the recorder in two, goes first in two, and each side goes
 * first in two: a copy that is faster (its layout, its place in the cache, the
 * order it was made in) is on the side with the recorder as often as on the
 * side without, and so is a drift of the machine.
 *
 * Why two copies rather than one whose triggers come and go every segment: the
 * old design's fixed copies showed how large a copy effect is on this machine
 * (the new version, whose writes never call the recorder, differed by as much
 * as the old), and keeping two copies in a crossed order measures that effect
 * too (x against y with the recorder in the same state), so a reader sees what
 * the crossing removed; with one copy it would be unseen, not shown absent.
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

/** The four segments of round `index`, in the order they run. */
export function roundSegments(index: number): PlannedSegment[] {
  const carrier = carrierOf(index);
  const copyOf = (side: RecorderSide): Copy => (side === 'recording' ? carrier : otherCopy(carrier));
  const [a, b] = index % 2 === 0 ? RECORDER_SIDES : [...RECORDER_SIDES].reverse();
  return [a!, b!, b!, a!].map((side) => ({ copy: copyOf(side), side }));
}
