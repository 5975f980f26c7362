import { readdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consoleFiles } from '../../../functions/consoleFiles.js';
import { FUNCTIONS } from '../../../functions/registry.js';
import { serveFunctions, type ServedFunctions } from '../../../local/host.js';
import { ManualClock } from '../../../shared/clock.js';
import { CONSOLE_FILES } from '../../../shared/console/files.js';
import { loadConfig } from '../../../shared/config.js';
import { silentLogger } from '../../../shared/log.js';
import { createServices } from '../../../shared/services/index.js';
import { fakeDeps } from '../../helpers/fakes.js';
import { callRoute } from '../../helpers/routeCalls.js';

const services = createServices(fakeDeps());
let host: ServedFunctions;

beforeAll(async () => {
  const config = loadConfig({
    STORAGE_CONNECTION_STRING: 'UseDevelopmentStorage=true',
    BUS_KIND: 'storage-queues',
    OPERATOR_AUTH: 'development',
  });
  host = await serveFunctions(FUNCTIONS, { services, config, clock: new ManualClock(0), logger: silentLogger, timers: false });
});
afterAll(() => host.stop());

/** A raw request line, as a hostile client would send it (fetch would tidy `..` away first). */
async function rawGet(path: string): Promise<{ status: number; body: string }> {
  const { request } = await import('node:http');
  const url = new URL(host.apiUrl ?? '');
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, path, method: 'GET' }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('the console route', () => {
  it('serves the page at /api/console/ with its content type, a strict Content-Security-Policy and no sniffing', async () => {
    for (const path of ['/api/console/', '/api/console', '/api/console/index.html']) {
      const answer = await fetch(`${host.apiUrl ?? ''}${path}`);
      expect(answer.status, path).toBe(200);
      expect(answer.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(answer.headers.get('content-security-policy')).toBe(
        "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
      );
      expect(answer.headers.get('x-content-type-options')).toBe('nosniff');
      expect(await answer.text()).toContain('<script type="module" src="/api/console/main.js"></script>');
    }
    const styles = await fetch(`${host.apiUrl ?? ''}/api/console/console.css`);
    expect(styles.headers.get('content-type')).toBe('text/css; charset=utf-8');
  });

  it.each([
    '/api/console/../package.json',
    '/api/console/%2e%2e/package.json',
    '/api/console/%2E%2E%2Fpackage.json',
    '/api/console/..%2f..%2fpackage.json',
    '/api/console/%252e%252e%252fpackage.json',
    '/api/console/..%5cpackage.json',
    '/api/console/public/index.html',
    '/api/console/main.ts',
    '/api/console/%zz',
    '/api/console/constructor',
  ])('refuses %s: only the listed files are served', async (path) => {
    expect((await rawGet('/api/console/index.html')).status).toBe(200);
    const answer = await rawGet(path);
    expect(answer.status).toBe(404);
    expect(answer.body).not.toContain('"name": "mde-live-response-responder"');
  });

  it('refuses a traversal the host hands over already decoded', async () => {
    expect((await callRoute(services, consoleFiles, { roles: ['Responder.Read'], params: { path: 'console.css' } })).status).toBe(200);
    for (const path of ['../package.json', '..\\package.json', '/etc/passwd', 'console/../../package.json']) {
      const answer = await callRoute(services, consoleFiles, { roles: ['Responder.Read'], params: { path } });
      expect(answer.status, path).toBe(404);
    }
  });

  it('sits behind sign-in and Responder.Read like the API', async () => {
    expect((await callRoute(services, consoleFiles, { params: { path: '' } })).status).toBe(401);
    expect((await callRoute(services, consoleFiles, { roles: ['Responder.Run'], params: { path: '' } })).status).toBe(403);
  });

  it('lists exactly the console’s sources: each compiled script and each hand-written file', () => {
    const scripts = readdirSync('console/src').map((f) => f.replace(/\.ts$/, '.js'));
    const written = readdirSync('console/public');
    expect(Object.keys(CONSOLE_FILES).sort()).toEqual([...scripts, ...written].sort());
  });
});
