import http from 'node:http';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { AppError } from '@bud/errors';
import { Logger, configureLogging } from '@bud/logging';
import { proxy, upstreamFor } from './api-proxy';
import { loadBudadminConfig } from './budadmin.config';
import { sendError } from './error-response';
import { checkRequestTarget } from './request-path';
import { serveStatic } from './static-files';

/** budadmin: the built web UI plus one origin for both APIs, so the browser needs no CORS. */
function main(): void {
  const config = loadBudadminConfig();
  configureLogging({ level: config.LOG_LEVEL, format: config.LOG_FORMAT, service: 'budadmin' });
  const logger = new Logger('budadmin');
  const root = resolve(config.UI_DIR);
  if (!existsSync(resolve(root, 'index.html'))) {
    logger.error(`no built UI in ${root}; run npm run build:ui first`);
    process.exit(1);
  }
  const urls = { budcluster: config.BUDCLUSTER_URL, budusecases: config.BUDUSECASES_URL };
  const server = http.createServer((request, response) => {
    const target = checkRequestTarget(request.url ?? '/');
    if ('refused' in target) return sendError(response, new AppError('bad_request', target.refused));
    const { path, query } = target;
    if (path === '/healthz' || path === '/readyz') {
      response.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
      return;
    }
    const upstream = upstreamFor(path, urls);
    if (upstream) return proxy(request, response, upstream, path + query);
    if (path === '/api' || path.startsWith('/api/'))
      return sendError(response, new AppError('not_found', `${path} is not part of the public API`));
    serveStatic(root, path, response).catch(() => response.writeHead(500).end());
  });
  server.on('error', (error: NodeJS.ErrnoException) => {
    logger.error(
      error.code === 'EADDRINUSE' ? `port ${config.PORT} is already in use; set PORT (or BUDADMIN_PORT with npm start)` : error.message,
    );
    process.exit(1);
  });
  server.listen(config.PORT, config.HOST, () =>
    logger.info('budadmin listening', {
      url: `http://${config.HOST}:${config.PORT}`,
      budcluster: urls.budcluster,
      budusecases: urls.budusecases,
    }),
  );
  const stop = () => {
    server.close(() => process.exit(0));
    // Open event streams would keep close() waiting forever.
    setTimeout(() => server.closeAllConnections(), 1000).unref();
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main();
