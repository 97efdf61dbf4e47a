/**
 * Voice announcements for the hall board: a chime (WebAudio), then the call spoken in zh-CN by the browser's
 * speech synthesis. Announcements queue and play one after another; nothing ever cancels one that is
 * playing. Tests read `window.__boardAnnouncements` (texts, in the order they were spoken) and
 * `window.__boardAnnouncementLog` (with start and end marks).
 */

const DIGITS = ['零', '一', '二', '三', '四', '五', '六', '七', '八', '九'];

/**
 * "请 A 零 一 二 号 到 3 号窗口": the ticket number is spelled character by character (TTS would read
 * "012" as "十二"); the window number stays a number, which TTS reads naturally ("3 号" → 三号).
 */
export function announcementText(number: string, windowNumber: number): string {
  const spelled = [...number].map((c) => (c >= '0' && c <= '9' ? DIGITS[Number(c)] : c.toUpperCase())).join(' ');
  return `请 ${spelled} 号 到 ${windowNumber} 号窗口`;
}

export interface AnnouncementRecord {
  text: string;
  queuedAt: number;
  startedAt: number | null;
  endedAt: number | null;
  /** How speech ended: the engine's `end`, its `error`, no engine at all, or our safety timeout. */
  outcome: 'spoken' | 'error' | 'unsupported' | 'timeout' | null;
}

declare global {
  interface Window {
    __boardAnnouncements?: string[];
    __boardAnnouncementLog?: AnnouncementRecord[];
  }
}

/** Rationale: a generous upper bound on speaking one call (≈ 0.35 s per character at rate 0.9, plus slack). */
const maxSpeechMs = (text: string) => 4_000 + text.length * 350;
/** Rationale: a breath between calls so two numbers are never heard as one. */
const GAP_MS = 600;

export class Announcer {
  private readonly queue: AnnouncementRecord[] = [];
  private playing = false;
  private audio: AudioContext | null = null;
  private closed = false;
  readonly spoken: string[];
  readonly log: AnnouncementRecord[];

  constructor(private readonly onChange?: (state: { playing: AnnouncementRecord | null; pending: number }) => void) {
    this.spoken = (window.__boardAnnouncements ??= []);
    this.log = (window.__boardAnnouncementLog ??= []);
  }

  /** Whether the browser let us make sound without a click (TVs run with an autoplay policy that allows it). */
  get soundBlocked(): boolean {
    return this.audio?.state === 'suspended';
  }

  /** Creates the audio context now, so a board can tell at start whether sound needs a click. */
  probe(): boolean {
    this.context();
    return this.soundBlocked;
  }

  /** Call from a user gesture to unlock audio on browsers that demand one. */
  async unlock(): Promise<void> {
    const ctx = this.context();
    if (ctx && ctx.state === 'suspended') await ctx.resume().catch(() => undefined);
  }

  enqueue(text: string): void {
    if (this.closed) return;
    const record: AnnouncementRecord = { text, queuedAt: performance.now(), startedAt: null, endedAt: null, outcome: null };
    this.queue.push(record);
    this.log.push(record);
    this.notify(null);
    void this.pump();
  }

  get pending(): number {
    return this.queue.length;
  }

  close(): void {
    this.closed = true;
    this.queue.length = 0;
    void this.audio?.close().catch(() => undefined);
  }

  private notify(playing: AnnouncementRecord | null) {
    this.onChange?.({ playing, pending: this.queue.length });
  }

  private async pump(): Promise<void> {
    if (this.playing) return;
    this.playing = true;
    try {
      for (let next = this.queue.shift(); next && !this.closed; next = this.queue.shift()) {
        next.startedAt = performance.now();
        this.spoken.push(next.text);
        this.notify(next);
        await this.chime();
        next.outcome = await this.speak(next.text);
        next.endedAt = performance.now();
        await sleep(GAP_MS);
      }
    } finally {
      this.playing = false;
      this.notify(null);
    }
  }

  private context(): AudioContext | null {
    if (this.audio) return this.audio;
    const Ctor = window.AudioContext ?? (window as unknown as { webkitAudioContext?: typeof AudioContext }).webkitAudioContext;
    if (!Ctor) return null;
    this.audio = new Ctor();
    return this.audio;
  }

  /** A two-tone "ding-dong" of about 0.9 s. */
  private async chime(): Promise<void> {
    const ctx = this.context();
    if (!ctx) return;
    if (ctx.state === 'suspended') await ctx.resume().catch(() => undefined);
    if (ctx.state !== 'running') return;
    const start = ctx.currentTime + 0.05;
    const tone = (freq: number, at: number, dur: number) => {
      const osc = ctx.createOscillator();
      const gain = ctx.createGain();
      osc.type = 'sine';
      osc.frequency.value = freq;
      gain.gain.setValueAtTime(0.0001, at);
      gain.gain.exponentialRampToValueAtTime(0.5, at + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, at + dur);
      osc.connect(gain).connect(ctx.destination);
      osc.start(at);
      osc.stop(at + dur + 0.05);
    };
    tone(880, start, 0.45);
    tone(659.25, start + 0.42, 0.5);
    await sleep(1_000);
  }

  private speak(text: string): Promise<AnnouncementRecord['outcome']> {
    const synth = window.speechSynthesis as SpeechSynthesis | undefined;
    if (!synth || typeof SpeechSynthesisUtterance === 'undefined') return sleep(1_500).then(() => 'unsupported' as const);
    return new Promise((resolve) => {
      const u = new SpeechSynthesisUtterance(text);
      u.lang = 'zh-CN';
      u.rate = 0.9;
      const voice = synth.getVoices().find((v) => v.lang.replace('_', '-').toLowerCase().startsWith('zh-cn')) ?? synth.getVoices().find((v) => v.lang.toLowerCase().startsWith('zh'));
      if (voice) u.voice = voice;
      let settled = false;
      const finish = (outcome: AnnouncementRecord['outcome']) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(outcome);
      };
      // Some engines never fire `end` (no voices installed): move on, but never cancel. If the engine is
      // merely slow, its own queue still plays the next utterance after this one, so nothing is cut off.
      const timer = setTimeout(() => finish('timeout'), maxSpeechMs(text));
      u.onend = () => finish('spoken');
      u.onerror = () => finish('error');
      synth.speak(u);
    });
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
