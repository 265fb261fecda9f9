/** A time as people in China read it, whatever the machine's time zone: 2026-03-05 14:30. */
export function chinaTime(d: Date | string | null | undefined): string {
  if (!d) return '';
  return new Intl.DateTimeFormat('sv-SE', {
    timeZone: 'Asia/Shanghai',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
  }).format(typeof d === 'string' ? new Date(d) : d);
}
