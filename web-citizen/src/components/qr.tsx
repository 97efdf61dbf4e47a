import { useEffect, useState } from 'react';

/** A QR code as inline SVG. The encoder loads on demand, so it never delays the page's first paint. */
export function QrCode({ text, label, size = 220 }: { text: string; label: string; size?: number }) {
  const [svg, setSvg] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    import('qrcode')
      .then((m) => (m.default ?? m).toString(text, { type: 'svg', margin: 1, errorCorrectionLevel: 'M' }))
      .then((s) => live && setSvg(s), () => live && setSvg(null));
    return () => {
      live = false;
    };
  }, [text]);
  return (
    <div className="qr" role="img" aria-label={label} style={{ width: size, height: size }} data-qr={text}>
      {svg && <div aria-hidden="true" dangerouslySetInnerHTML={{ __html: svg }} />}
    </div>
  );
}
