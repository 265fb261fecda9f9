import { checkNonce, issueNonce, NONCE_TTL_MS, signWindowToken, verifyWindowToken } from './qr-token.js';

const S = 'secret-secret-secret-secret-secret';

describe('window QR tokens', () => {
  it('round-trip and stay short', () => {
    const t = signWindowToken(S, 'W-A01', 1);
    expect(t.length).toBeLessThan(32);
    expect(verifyWindowToken(S, t)).toEqual({ ok: true, windowCode: 'W-A01', version: 1 });
  });
  it('refuse an altered window, version or MAC, and another secret', () => {
    const t = signWindowToken(S, 'W-A01', 1);
    const [, , m] = t.split('.');
    expect(verifyWindowToken(S, `W-A02.1.${m}`)).toEqual({ ok: false });
    expect(verifyWindowToken(S, `W-A01.2.${m}`)).toEqual({ ok: false });
    const flipped = m.slice(0, -1) + (m.endsWith('A') ? 'B' : 'A');
    expect(verifyWindowToken(S, `W-A01.1.${flipped}`)).toEqual({ ok: false });
    expect(verifyWindowToken('another-secret-another-secret-xx', t)).toEqual({ ok: false });
    expect(verifyWindowToken(S, 'garbage')).toEqual({ ok: false });
    expect(verifyWindowToken(S, '%E0%A4%A.1.AAAAAAAAAAAAAAAA')).toEqual({ ok: false });
  });
  it('carry window codes with dots, which the catalogue allows (issue 13, finding 11)', () => {
    for (const code of ['W.A01', 'A.B.C', 'W-A01.', '.1']) {
      expect(verifyWindowToken(S, signWindowToken(S, code, 2))).toEqual({ ok: true, windowCode: code, version: 2 });
    }
    // the dot does not let one window's token pass as another's
    const t = signWindowToken(S, 'W.A01', 1);
    expect(verifyWindowToken(S, t.replace(/^W\.A01/, 'W.A02'))).toEqual({ ok: false });
  });
  it('carry codes with any characters', () => {
    const t = signWindowToken(S, '窗口/1 号', 3);
    expect(verifyWindowToken(S, t)).toEqual({ ok: true, windowCode: '窗口/1 号', version: 3 });
  });
});

describe('form nonces', () => {
  it('are bound to the window and expire', () => {
    const now = Date.UTC(2026, 10, 22, 2, 0, 0);
    const n = issueNonce(S, 'W-A01', now);
    expect(checkNonce(S, 'W-A01', n, now + 1000)).toBe('ok');
    expect(checkNonce(S, 'W-A02', n, now + 1000)).toBe('invalid');
    expect(checkNonce(S, 'W-A01', n, now + NONCE_TTL_MS + 1)).toBe('expired');
    expect(checkNonce(S, 'W-A01', n.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A')), now)).toBe('invalid');
    expect(issueNonce(S, 'W-A01', now)).not.toBe(n);
  });
});
