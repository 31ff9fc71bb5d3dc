// A throw-away self-signed certificate for the TLS listener, made with the openssl CLI
// (Debian's openssl package); Node's crypto cannot issue X.509 certificates by itself.
import { execFile } from 'node:child_process';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

export interface SelfSignedCert { keyPem: string; certPem: string; certFile: string; remove(): Promise<void> }

export async function makeSelfSignedCert(dir: string, host: string): Promise<SelfSignedCert> {
  const keyFile = join(dir, 'mqtt-key.pem');
  const certFile = join(dir, 'mqtt-cert.pem');
  const san = /^[\d.]+$/.test(host) ? `IP:${host},DNS:localhost` : `DNS:${host},DNS:localhost`;
  // node-opcua-crypto (loaded in the same process by OPC UA) can leave OPENSSL_CONF="undefined",
  // which breaks every later openssl call: give openssl an environment without it.
  const env = { ...process.env };
  if (!env.OPENSSL_CONF || env.OPENSSL_CONF === 'undefined') delete env.OPENSSL_CONF;
  try {
    await promisify(execFile)('openssl', [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
      '-keyout', keyFile, '-out', certFile, '-days', '30', '-subj', '/CN=gw-sim', '-addext', `subjectAltName=${san}`,
    ], { timeout: 10_000, env });
  } catch (e) {
    throw new Error(`cannot create the MQTT TLS certificate with openssl (install openssl or set switches.mqttTls=false): ${(e as Error).message}`);
  }
  return {
    keyPem: await readFile(keyFile, 'utf8'), certPem: await readFile(certFile, 'utf8'), certFile,
    // The pty dir of `hil sim` outlives the process: do not leave the private key behind.
    remove: async () => { await rm(keyFile, { force: true }); await rm(certFile, { force: true }); },
  };
}
