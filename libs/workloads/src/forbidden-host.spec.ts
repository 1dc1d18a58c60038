import { forbiddenHostReason } from './forbidden-host';

// Hosts as they appear in URLs, and addresses as node:dns lookup answers them.
describe('forbiddenHostReason', () => {
  it.each<[string, string, RegExp]>([
    ['IPv4 loopback', '127.0.0.1', /loopback/],
    ['anywhere in 127/8', '127.53.0.9', /loopback/],
    ['the IPv6 loopback as resolved', '::1', /loopback/],
    ['the IPv6 loopback in brackets', '[::1]', /loopback/],
    ['localhost by name', 'localhost', /loopback/],
    ['a name under .localhost', 'api.localhost', /loopback/],
    ['the cloud metadata address', '169.254.169.254', /link-local/],
    ['any link-local IPv4 address', '169.254.0.1', /link-local/],
    ['an IPv6 link-local address with a zone', 'fe80::1%eth0', /link-local/],
    ["AWS's IPv6 metadata address", 'fd00:ec2::254', /metadata/],
    ['the GCP metadata name', 'metadata.google.internal', /metadata/],
    ['the unspecified IPv4 address', '0.0.0.0', /unspecified/],
    ['the unspecified IPv6 address', '::', /unspecified/],
    ['IPv4-mapped loopback', '::ffff:127.0.0.1', /loopback/],
    ['IPv4-mapped metadata in hex groups', '::ffff:a9fe:a9fe', /link-local/],
    ['IPv4-compatible loopback', '::127.0.0.1', /loopback/],
    ['a decimal spelling of loopback', '2130706433', /loopback/],
  ])('refuses %s (%s)', (_case, host, reason) => {
    expect(forbiddenHostReason(host)).toMatch(reason);
  });

  it.each<[string, string]>([
    ['a public IPv4 address', '203.0.113.7'],
    ['an RFC 1918 address (GPU clusters live on private networks)', '10.0.12.4'],
    ['the 172.16/12 private range', '172.20.0.1'],
    ['the 192.168/16 private range', '192.168.1.10'],
    ['an IPv6 unique-local address other than the metadata one', 'fd00::2'],
    ['a public IPv6 address', '2001:db8::1'],
    ['a DNS name', 'api.gpu-cluster.example.com'],
    ['IPv4-mapped private address', '::ffff:10.0.0.1'],
  ])('allows %s (%s)', (_case, host) => {
    expect(forbiddenHostReason(host)).toBeNull();
  });
});
