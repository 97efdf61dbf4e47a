import { describe, expect, it } from 'vitest';
import { placeParticipant, type MediaNodeRecord } from './placement.ts';

const node = (id: string, region: string, load: Partial<MediaNodeRecord['load']> = {}, draining = false): MediaNodeRecord => ({
  id, region, url: `https://${id}.example.gov.cn`, path: '/media-io', draining,
  load: { workers: 2, rooms: 0, peers: 0, consumers: 0, cpu: 0, ...load },
});

describe('placeParticipant', () => {
  const sh1 = node('sh-1', 'SH-QP', { consumers: 300 });
  const sh2 = node('sh-2', 'SH-QP', { consumers: 100 });
  const wj = node('wj-1', 'JS-WJ', { consumers: 20 });

  it('takes the least loaded node of the participant’s own region, even when a far node is lighter', () => {
    expect(placeParticipant([sh1, sh2, wj], 'SH-QP')?.id).toBe('sh-2');
    expect(placeParticipant([sh1, sh2, wj], 'JS-WJ')?.id).toBe('wj-1');
  });

  it('falls back to the least loaded live node when the region has none, or no region is known', () => {
    expect(placeParticipant([sh1, sh2, wj], 'ZJ-JS')?.id).toBe('wj-1');
    expect(placeParticipant([sh1, sh2, wj], undefined)?.id).toBe('wj-1');
  });

  it('weighs consumers per worker, then CPU, then the id', () => {
    const big = node('sh-big', 'SH-QP', { consumers: 320, workers: 8 }); // 40 per worker against 50
    expect(placeParticipant([sh2, big], 'SH-QP')?.id).toBe('sh-big');
    const hot = node('a', 'SH-QP', { cpu: 0.9 });
    const cool = node('b', 'SH-QP', { cpu: 0.1 });
    expect(placeParticipant([hot, cool], 'SH-QP')?.id).toBe('b');
    expect(placeParticipant([node('b', 'SH-QP'), node('a', 'SH-QP')], 'SH-QP')?.id).toBe('a');
  });

  it('offers draining nodes to nobody, and nothing when no node is live', () => {
    const draining = node('sh-3', 'SH-QP', {}, true);
    expect(placeParticipant([draining, wj], 'SH-QP')?.id).toBe('wj-1');
    expect(placeParticipant([draining], 'SH-QP')).toBeUndefined();
    expect(placeParticipant([], 'SH-QP')).toBeUndefined();
  });

  it('prefers a node of the region already hosting the room to a lighter one of the region, never a far one', () => {
    // sh-1 carries the room (and more calls): a second participant of SH-QP joins it rather than split the room.
    expect(placeParticipant([sh1, sh2, wj], 'SH-QP', { hosting: new Set(['sh-1']) })?.id).toBe('sh-1');
    // The room on a far node does not pull a participant out of its region.
    expect(placeParticipant([sh1, sh2, wj], 'SH-QP', { hosting: new Set(['wj-1']) })?.id).toBe('sh-2');
    // A region with no node: a node already hosting the room, even a busier one, before the others.
    expect(placeParticipant([sh1, sh2, wj], 'ZJ-JS', { hosting: new Set(['sh-1']) })?.id).toBe('sh-1');
    // A draining host takes nobody new, even for its own room.
    const drainingHost = node('sh-9', 'SH-QP', {}, true);
    expect(placeParticipant([drainingHost, sh1], 'SH-QP', { hosting: new Set(['sh-9']) })?.id).toBe('sh-1');
  });

  it('skips the node the participant has just lost, unless no other node is live', () => {
    // Its record outlives a kill -9 by up to 3 heartbeats: the renewal names it, so another node is offered now.
    expect(placeParticipant([sh1, sh2, wj], 'SH-QP', { lost: 'sh-2' })?.id).toBe('sh-1');
    expect(placeParticipant([sh1, wj], 'SH-QP', { lost: 'sh-1', hosting: new Set(['sh-1']) })?.id).toBe('wj-1');
    expect(placeParticipant([wj], 'JS-WJ', { lost: 'wj-1' })?.id).toBe('wj-1');
    expect(placeParticipant([sh1, wj], 'SH-QP', { lost: 'nobody' })?.id).toBe('sh-1');
  });
});
