import { useState } from 'react';

type Props = { label: string; iconUrl: string | null | undefined; size?: 'md' | 'lg' };

const SIZES = { md: 'h-10 w-10 text-lg', lg: 'h-12 w-12 text-xl' };

/**
 * A source's icon beside its name. Decorative (the name is the text next to it), so the
 * image has an empty alt and the monogram is hidden from screen readers. A fixed size, so
 * cards line up and nothing shifts as images load; the monogram stands in when the plugin
 * has no icon or it does not load.
 */
export function PluginIcon({ label, iconUrl, size = 'md' }: Props) {
  const [failed, setFailed] = useState<string | null>(null);
  const box = `${SIZES[size]} shrink-0 rounded`;
  if (iconUrl && failed !== iconUrl) {
    const px = size === 'lg' ? 48 : 40;
    return <img src={iconUrl} alt="" width={px} height={px} loading="lazy" decoding="async" className={`${box} object-contain`} onError={() => setFailed(iconUrl)} />;
  }
  return (
    <span aria-hidden="true" data-testid="plugin-monogram" className={`${box} flex items-center justify-center bg-blue-100 font-semibold text-blue-900`}>
      {label.trim().charAt(0).toUpperCase() || '?'}
    </span>
  );
}
