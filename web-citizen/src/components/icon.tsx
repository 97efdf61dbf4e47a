/**
 * A few line icons as inline SVG: emoji fonts are missing on many kiosks and older phones, and an icon
 * font would cost a download. Decorative only (`aria-hidden`): every icon sits beside its words.
 */
const PATHS = {
  ticket: 'M4 7a2 2 0 0 1 2-2h12a2 2 0 0 1 2 2v2a2 2 0 0 0 0 4v2a2 2 0 0 1-2 2H6a2 2 0 0 1-2-2v-2a2 2 0 0 0 0-4z M10 5v12',
  list: 'M8 6h12 M8 12h12 M8 18h12 M4 6h.01 M4 12h.01 M4 18h.01',
  calendar: 'M4 6h16v14H4z M4 10h16 M8 3v4 M16 3v4',
  pin: 'M12 21s-7-6.2-7-11a7 7 0 0 1 14 0c0 4.8-7 11-7 11z M12 12.5a2.5 2.5 0 1 0 0-5 2.5 2.5 0 0 0 0 5z',
  note: 'M6 3h9l4 4v14H6z M14 3v5h5 M9 13h7 M9 17h5',
  check: 'M4 12l5 5L20 6',
  glasses: 'M3 14a3.5 3.5 0 1 0 7 0a3.5 3.5 0 1 0-7 0 M14 14a3.5 3.5 0 1 0 7 0a3.5 3.5 0 1 0-7 0 M10 14c.7-.8 3.3-.8 4 0 M3 13l2-6 M21 13l-2-6',
  bell: 'M6 17V11a6 6 0 0 1 12 0v6l2 2H4z M10 21h4',
  video: 'M3 7h12v10H3z M15 10l6-3v10l-6-3',
  star: 'M12 3l2.8 5.7 6.2.9-4.5 4.4 1.1 6.2L12 17.3 6.4 20.2l1.1-6.2L3 9.6l6.2-.9z',
} as const;

export type IconName = keyof typeof PATHS;

export function Icon({ name, size = '1.2em' }: { name: IconName; size?: string }) {
  return (
    <svg className="icon" aria-hidden="true" focusable="false" width={size} height={size} viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth={2} strokeLinecap="round" strokeLinejoin="round">
      <path d={PATHS[name]} />
    </svg>
  );
}

/** Faces for the five rating levels: the mouth bends from a smile (5) to a frown (1). */
export function Face({ score }: { score: number }) {
  const bend = (score - 3) * 2.2;
  return (
    <svg className="face" aria-hidden="true" focusable="false" width="1.6em" height="1.6em" viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth={2} strokeLinecap="round">
      <circle cx="12" cy="12" r="9.5" />
      <path d="M9 9.5h.01 M15 9.5h.01" strokeWidth={3} />
      <path d={`M7.5 15.5 Q12 ${15.5 + bend} 16.5 15.5`} />
    </svg>
  );
}
