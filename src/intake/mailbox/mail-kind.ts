import type { ParsedMail } from 'mailparser';

/**
 * What a polled mail is, decided from its headers alone (pure, tested):
 * - automatic: auto-replies, out-of-office, bounces, bulk and list mail — recorded, never acknowledged (no loops);
 * - a reply to one of our mails (In-Reply-To / References) or naming a tracking code in the subject — threaded
 *   onto that item;
 * - otherwise a new item.
 */
export interface MailFacts {
  automatic: string | null;
  replyTo: string[];
  trackingCode: string | null;
}

const AUTO_SUBJECT = /^(auto(matic)?[\s-]*(reply|response)|out of (the )?office|自动回复|自动答复|休假|不在办公室|delivery status notification|undeliver(able|ed)|returned mail|mail delivery (failed|failure)|退信|投递失败|系统退信)/i;
const TRACKING = /([0-9A-HJKMNP-TV-Z]{4})-([0-9A-HJKMNP-TV-Z]{4})-([0-9A-HJKMNP-TV-Z]{4})/i;

export function mailFacts(mail: Pick<ParsedMail, 'headers' | 'subject' | 'from' | 'inReplyTo' | 'references'>): MailFacts {
  const h = mail.headers;
  const header = (name: string): string => {
    const v = h.get(name);
    if (v === undefined || v === null) return '';
    if (typeof v === 'string') return v;
    if (typeof v === 'object' && 'value' in (v as object)) return String((v as { value: unknown }).value);
    return String(v);
  };
  const from = mail.from?.value?.[0]?.address?.toLowerCase() ?? '';
  const contentType = header('content-type').toLowerCase();
  let automatic: string | null = null;
  const autoSubmitted = header('auto-submitted').toLowerCase();
  if (autoSubmitted && autoSubmitted !== 'no') automatic = `Auto-Submitted: ${autoSubmitted}`;
  else if (/^(bulk|junk|list|auto_reply)$/.test(header('precedence').toLowerCase())) automatic = `Precedence: ${header('precedence')}`;
  else if (contentType.startsWith('multipart/report')) automatic = 'a delivery or read report (multipart/report)';
  else if (/^(mailer-daemon|postmaster)@/.test(from) || /^(mailer-daemon|postmaster)$/i.test(mail.from?.value?.[0]?.name ?? '')) automatic = `from ${from || 'MAILER-DAEMON'}`;
  else if (header('x-autoreply') || header('x-autorespond') || header('x-auto-reply')) automatic = 'an auto-reply header';
  else if (h.has('list') || header('list-id') || header('list-unsubscribe')) automatic = 'mailing-list mail';
  else if (AUTO_SUBJECT.test((mail.subject ?? '').trim())) automatic = `subject "${(mail.subject ?? '').slice(0, 40)}"`;

  const refs = [mail.inReplyTo, ...(Array.isArray(mail.references) ? mail.references : mail.references ? [mail.references] : [])]
    .filter((r): r is string => typeof r === 'string' && r.length > 0)
    .flatMap((r) => r.match(/<[^<>\s]+>/g) ?? [r]);
  const m = TRACKING.exec(mail.subject ?? '');
  return {
    automatic,
    replyTo: [...new Set(refs)],
    trackingCode: m ? `${m[1]}-${m[2]}-${m[3]}`.toUpperCase() : null,
  };
}
