/**
 * Getting the citizen's attention when called: vibration, a two-tone chime, and the call read aloud.
 * Browsers only let a page make sound after a touch, so the audio context is unlocked on the first tap.
 */
let ctx: AudioContext | null = null;

export function unlockAudio(): void {
  if (ctx) {
    void ctx.resume().catch(() => undefined);
    return;
  }
  const Ctor = window.AudioContext ?? (window as unknown as { webkitAudioContext?: typeof AudioContext }).webkitAudioContext;
  if (!Ctor) return;
  try {
    ctx = new Ctor();
    void ctx.resume().catch(() => undefined);
  } catch {
    ctx = null;
  }
}

export function audioReady(): boolean {
  return ctx?.state === 'running';
}

/** 叮咚: two tones, repeated twice. Rationale: 660/523 Hz carry well over hall noise without being shrill. */
export function chime(): void {
  if (!ctx) return;
  const c = ctx;
  const t0 = c.currentTime + 0.05;
  [0, 1.2].forEach((offset) => {
    [
      [660, 0],
      [523, 0.45],
    ].forEach(([freq, at]) => {
      const osc = c.createOscillator();
      const gain = c.createGain();
      osc.type = 'sine';
      osc.frequency.value = freq!;
      const start = t0 + offset + at!;
      gain.gain.setValueAtTime(0.0001, start);
      gain.gain.exponentialRampToValueAtTime(0.5, start + 0.03);
      gain.gain.exponentialRampToValueAtTime(0.0001, start + 0.6);
      osc.connect(gain).connect(c.destination);
      osc.start(start);
      osc.stop(start + 0.65);
    });
  });
}

export function vibrate(): void {
  try {
    navigator.vibrate?.([400, 150, 400, 150, 400]);
  } catch {
    /* not supported */
  }
}

export function speak(text: string, lang: 'zh' | 'en'): void {
  try {
    const synth = window.speechSynthesis;
    if (!synth) return;
    const u = new SpeechSynthesisUtterance(text);
    u.lang = lang === 'zh' ? 'zh-CN' : 'en-US';
    u.rate = 0.9;
    synth.cancel();
    synth.speak(u);
  } catch {
    /* not supported */
  }
}

export function announceCall(text: string, lang: 'zh' | 'en'): void {
  vibrate();
  chime();
  window.setTimeout(() => speak(text, lang), 2200);
}
