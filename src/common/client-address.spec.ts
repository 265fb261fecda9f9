import { clientBucket, proxyEntryProblem } from './client-address.js';

describe('client buckets (issue 13, finding 6)', () => {
  it('counts IPv4 by address and IPv4-mapped IPv6 as IPv4', () => {
    expect(clientBucket('10.1.2.3')).toBe('10.1.2.3');
    expect(clientBucket('::ffff:10.1.2.3')).toBe('10.1.2.3');
  });
  it('counts every address of one IPv6 /64 as one client', () => {
    const a = clientBucket('2001:db8:1:2::1');
    expect(a).toBe('2001:db8:1:2::/64');
    expect(clientBucket('2001:0db8:0001:0002:ffff:eeee:dddd:cccc')).toBe(a);
    expect(clientBucket('2001:DB8:1:2:0:0:0:99')).toBe(a);
    expect(clientBucket('2001:db8:1:3::1')).not.toBe(a);
    expect(clientBucket('::1')).toBe('0:0:0:0::/64');
    expect(clientBucket('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
  });
  it('never passes something else through as a key', () => {
    for (const bad of [undefined, '', 'x', '1:2:3:4:5:6:7:8:9', `a${'b'.repeat(300)}`]) expect(clientBucket(bad)).toBe('unknown');
  });
  it('checks trusted proxy entries', () => {
    for (const ok of ['loopback', '10.0.0.5', '10.0.0.0/8', 'fd00::/8', '::1']) expect(proxyEntryProblem(ok)).toBeNull();
    for (const bad of ['everyone', '10.0.0.0/33', '10.0.0.0/8/1', 'fd00::/129', 'proxy.example']) expect(proxyEntryProblem(bad)).not.toBeNull();
  });
});
