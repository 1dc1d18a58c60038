// Credentials of one control plane, with nothing but Node: the service-account signing key pair and one
// bearer token in a static token file. The API server makes its own serving certificate (a CA and a
// certificate for 127.0.0.1 signed by it) in its --cert-dir; the kubeconfig trusts that file.
// Servers the API server calls (Kueue's webhooks) get a certificate from the test bed's own CA, made with
// the openssl command on demand (Node can verify certificates but not issue them).
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { paths } from './layout';

export interface Pki {
  /** The API server's --cert-dir; it writes apiserver.crt (certificate, then its CA) and apiserver.key there. */
  certDir: string;
  serverCert: string;
  serviceAccountKey: string;
  serviceAccountPub: string;
  tokenFile: string;
  /** The bearer token of user `testbed-admin` in group system:masters. */
  token: string;
}

export function createPki(dir = paths.pki): Pki {
  mkdirSync(dir, { recursive: true });
  const file = (name: string) => join(dir, name);
  const { publicKey, privateKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  writeFileSync(file('sa.key'), privateKey, { mode: 0o600 });
  writeFileSync(file('sa.pub'), publicKey);
  const token = randomBytes(24).toString('hex');
  // token,user,uid,"groups"
  writeFileSync(file('tokens.csv'), `${token},testbed-admin,testbed-admin,"system:masters"\n`, { mode: 0o600 });
  return {
    certDir: dir,
    serverCert: file('apiserver.crt'),
    serviceAccountKey: file('sa.key'),
    serviceAccountPub: file('sa.pub'),
    tokenFile: file('tokens.csv'),
    token,
  };
}

/** A kubeconfig with one context: the API server, its CA inline, and the bearer token. */
export function kubeconfigYaml(server: string, pki: Pki): string {
  const ca = readFileSync(pki.serverCert).toString('base64');
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    '- name: testbed',
    '  cluster:',
    `    server: ${server}`,
    `    certificate-authority-data: ${ca}`,
    'users:',
    '- name: testbed-admin',
    '  user:',
    `    token: ${pki.token}`,
    'contexts:',
    '- name: testbed',
    '  context:',
    '    cluster: testbed',
    '    user: testbed-admin',
    'current-context: testbed',
    '',
  ].join('\n');
}

/** The test bed's certificate authority, for servers the API server calls back (webhooks). */
export interface CertificateAuthority {
  cert: string;
  key: string;
  /** The CA certificate (PEM), base64 as in a webhook's caBundle. */
  caBundle: string;
}

function openssl(args: string[], cwd: string): void {
  try {
    execFileSync('openssl', args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (err) {
    const stderr = (err as { stderr?: Buffer }).stderr?.toString().trim();
    throw new Error(`openssl ${args[0]} failed: ${stderr || (err as Error).message}`);
  }
}

/** The CA of this control plane (ECDSA P-256, valid 30 days), made once under .testbed/run/pki/ca/. */
export function certificateAuthority(dir = join(paths.pki, 'ca')): CertificateAuthority {
  const cert = join(dir, 'ca.crt');
  const key = join(dir, 'ca.key');
  if (!existsSync(cert)) {
    mkdirSync(dir, { recursive: true });
    openssl(
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-keyout',
        key,
        '-out',
        cert,
        '-days',
        '30',
        '-subj',
        '/CN=testbed-ca',
        '-addext',
        'basicConstraints=critical,CA:TRUE',
        '-addext',
        'keyUsage=critical,keyCertSign,cRLSign',
      ],
      dir,
    );
  }
  return { cert, key, caBundle: readFileSync(cert).toString('base64') };
}

/**
 * A serving certificate for 127.0.0.1 (and localhost) signed by the test bed's CA, written as tls.crt and
 * tls.key into `dir` (the names controller-runtime's webhook server reads). Returns `dir`.
 */
export function issueServingCertificate(ca: CertificateAuthority, dir: string, commonName: string): string {
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'tls.ext'),
    [
      'basicConstraints=CA:FALSE',
      'keyUsage=critical,digitalSignature,keyEncipherment',
      'extendedKeyUsage=serverAuth',
      'subjectAltName=IP:127.0.0.1,DNS:localhost',
      '',
    ].join('\n'),
  );
  openssl(
    [
      'req',
      '-new',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      'tls.key',
      '-out',
      'tls.csr',
      '-subj',
      `/CN=${commonName}`,
    ],
    dir,
  );
  openssl(
    [
      'x509',
      '-req',
      '-in',
      'tls.csr',
      '-CA',
      ca.cert,
      '-CAkey',
      ca.key,
      '-CAcreateserial',
      '-out',
      'tls.crt',
      '-days',
      '30',
      '-extfile',
      'tls.ext',
    ],
    dir,
  );
  return dir;
}
