/**
 * A call's quality summary, folded from periodic samples of mediasoup consumer scores (0 = unusable,
 * 10 = perfect; mediasoup derives them from packet loss and retransmissions seen on each stream).
 */

export interface QualitySummary {
  samples: number;
  /** Mean consumer score over all samples, one decimal; null without samples. */
  avgScore: number | null;
  minScore: number | null;
  /** Share of sampled consumer scores below 7, mediasoup-demo's "bad" threshold. */
  poorShare: number | null;
  peakParticipants: number;
}

export interface QualityAccumulator {
  samples: number;
  sum: number;
  min: number;
  poor: number;
  peakParticipants: number;
}

export const emptyQuality = (): QualityAccumulator => ({ samples: 0, sum: 0, min: Infinity, poor: 0, peakParticipants: 0 });

/** Rationale: mediasoup-demo badges a stream as poor below 7. */
const POOR_BELOW = 7;

export function addSample(acc: QualityAccumulator, sample: { participants: number; consumerScores: readonly number[] }): QualityAccumulator {
  const next = { ...acc, peakParticipants: Math.max(acc.peakParticipants, sample.participants) };
  for (const s of sample.consumerScores) {
    next.samples += 1;
    next.sum += s;
    next.min = Math.min(next.min, s);
    if (s < POOR_BELOW) next.poor += 1;
  }
  return next;
}

export function summarise(acc: QualityAccumulator): QualitySummary {
  if (acc.samples === 0) return { samples: 0, avgScore: null, minScore: null, poorShare: null, peakParticipants: acc.peakParticipants };
  return {
    samples: acc.samples,
    avgScore: Math.round((acc.sum / acc.samples) * 10) / 10,
    minScore: acc.min,
    poorShare: Math.round((acc.poor / acc.samples) * 1000) / 1000,
    peakParticipants: acc.peakParticipants,
  };
}
