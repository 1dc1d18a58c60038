// Credentials of one control plane, with nothing but Node: the service-account signing key pair and one
// bearer token in a static token file. The API server makes its own serving certificate (a CA and a
// certificate for 127.0.0.1 signed by it) in its --cert-dir; the kubeconfig trusts that file.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
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
