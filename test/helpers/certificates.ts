/**
 * Certificates for TLS tests, made with openssl for each run: a CA, a server certificate for IP
 * 127.0.0.1, a client certificate, an unrelated CA, and more leaves on demand.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inCI } from '../peers/require-peer.js';

/** Test certificates: a CA, a server certificate for IP 127.0.0.1 and a client certificate, as PEM. */
export interface TestCertificates {
  readonly ca: Buffer;
  readonly serverCert: Buffer;
  readonly serverKey: Buffer;
  readonly clientCert: Buffer;
  readonly clientKey: Buffer;
  /** A CA that signed nothing here: trusting only it must fail. */
  readonly otherCa: Buffer;
  /** Signs one more leaf certificate with `issuer` ('ca' or 'other-ca'), with openssl `extensions`. */
  signLeaf(name: string, issuer: 'ca' | 'other-ca', extensions: string): { cert: Buffer; key: Buffer };
  /** The same PEMs as files in `dir`. */
  readonly files: { readonly ca: string; readonly clientCert: string; readonly clientKey: string };
  readonly dir: string;
  remove(): void;
}

/**
 * Makes certificates with openssl. Without openssl the answer is a reason to skip, except on CI
 * (`CI=true`), where the missing tool is a failure: the TLS tests must not silently vanish there.
 */
export function makeCertificates(): TestCertificates | { skip: string } {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
  } catch {
    const reason = 'openssl is not installed: TLS tests need it to make certificates';
    if (inCI()) throw new Error(reason);
    return { skip: reason };
  }
  const dir = mkdtempSync(join(tmpdir(), 'zerotel-tls-'));
  const run = (...args: string[]): void => {
    execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  };
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  const makeCa = (name: string): void => {
    run(
      'req',
      '-x509',
      ...ec,
      '-keyout',
      `${name}.key`,
      '-out',
      `${name}.crt`,
      '-days',
      '2',
      '-subj',
      `/CN=${name}`,
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
    );
  };
  const makeLeaf = (name: string, extensions: string, issuer: 'ca' | 'other-ca' = 'ca'): void => {
    writeFileSync(join(dir, `${name}.ext`), extensions);
    run('req', ...ec, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${name}`);
    run(
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      `${issuer}.crt`,
      '-CAkey',
      `${issuer}.key`,
      '-CAcreateserial',
      '-out',
      `${name}.crt`,
      '-days',
      '2',
      '-extfile',
      `${name}.ext`,
    );
  };
  try {
    makeCa('ca');
    makeCa('other-ca');
    makeLeaf('server', 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
    makeLeaf('client', 'extendedKeyUsage=clientAuth\n');
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    const stderr = (err as { stderr?: Buffer }).stderr?.toString() ?? '';
    throw new Error(`openssl failed to make test certificates: ${(err as Error).message}\n${stderr}`);
  }
  const read = (file: string): Buffer => readFileSync(join(dir, file));
  return {
    ca: read('ca.crt'),
    serverCert: read('server.crt'),
    serverKey: read('server.key'),
    clientCert: read('client.crt'),
    clientKey: read('client.key'),
    otherCa: read('other-ca.crt'),
    signLeaf: (name, issuer, extensions) => {
      makeLeaf(name, extensions, issuer);
      return { cert: read(`${name}.crt`), key: read(`${name}.key`) };
    },
    files: { ca: join(dir, 'ca.crt'), clientCert: join(dir, 'client.crt'), clientKey: join(dir, 'client.key') },
    dir,
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
