import { ValidationPipe, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import express from 'express';
import { Logger } from 'nestjs-pino';
import { AppModule, type AppOptions } from './app.module.js';
import { DomainError, ErrorCode } from './common/domain-error.js';
import { QuietStartupLogger } from './common/log-format.js';
import { MetricsService } from './metrics/metrics.service.js';
import { QrRatingService } from './intake/qr/qr-rating.service.js';
import { requestId } from './common/http-log.js';
import { inFrontOf, qrSubmitFastPath } from './intake/qr/qr-submit.fast-path.js';
import type { Server } from 'node:http';

export const JSON_LIMIT = '1mb';
export const CATALOG_LIMIT = '5mb';

/** Builds the HTTP application (not listening yet): main.ts and the tests share it. */
export async function createApp(opts: AppOptions & { quiet?: boolean }): Promise<INestApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(opts), {
    bodyParser: false,
    bufferLogs: true,
    logger: opts.quiet ? false : undefined,
  });
  // the framework's route-mapping chatter goes to debug: start-up at the default level is a few lines
  if (!opts.quiet) app.useLogger(new QuietStartupLogger(app.get(Logger)));
  // behind a load balancer: the client address comes from X-Forwarded-For (for login throttling and rate limits),
  // believed only from the configured proxies (HUB_TRUSTED_PROXIES; loopback by default), never from any intranet PC
  app.set('trust proxy', opts.config.trustedProxies);
  app.disable('x-powered-by');
  // answers are dynamic (and citizen pages no-store): hashing every body for an ETag is wasted work
  app.set('etag', false);
  // every request timed by its route pattern and given its id, before any parser can refuse it
  const timing = app.get(MetricsService).httpMiddleware();
  app.use(timing);
  app.use((req: express.Request & { id?: string }, res: express.Response, next: express.NextFunction) => {
    req.id = requestId(req, res);
    next();
  });
  // each parser only where its bodies are expected: the API takes JSON (and YAML for the catalogue), the citizen
  // pages take form posts
  app.use('/api', express.json({ limit: JSON_LIMIT }));
  app.use(
    '/api/org/import',
    express.text({
      limit: CATALOG_LIMIT,
      type: ['application/yaml', 'application/x-yaml', 'text/yaml', 'text/x-yaml', 'text/plain'],
    }),
  );
  app.use('/api/calendar', express.text({ limit: '200kb', type: ['application/yaml', 'application/x-yaml', 'text/yaml', 'text/x-yaml', 'text/plain'] }));
  const ratingForm = express.urlencoded({ extended: false, limit: '64kb', parameterLimit: 50 });
  app.use('/q', ratingForm);
  // the rating submit, the hub's busiest request, answered in front of the framework (same parser, proxies, timing)
  const adapter = app.getHttpAdapter() as unknown as { getInstance(): unknown; mapException(e: unknown): unknown };
  const instance = adapter.getInstance() as express.Express;
  inFrontOf(
    app.getHttpServer() as Server,
    qrSubmitFastPath({
      qr: app.get(QrRatingService),
      formParser: ratingForm,
      trustProxy: instance.get('trust proxy fn') as (addr: string, i: number) => boolean,
      timing,
      mapException: (e) => adapter.mapException(e),
    }),
  );
  app.useGlobalPipes(
    new ValidationPipe({
      whitelist: true,
      forbidNonWhitelisted: true,
      transform: true,
      exceptionFactory: (errors) => {
        const problems = flatten(errors);
        return new DomainError(ErrorCode.ValidationFailed, problems.join('; '), { problems });
      },
    }),
  );
  const doc = new DocumentBuilder()
    .setTitle('Feedback hub')
    .setDescription('Feedback intake and complaint routing for the service network (see CONTRACT.md)')
    .setVersion('1')
    .addBearerAuth()
    .build();
  SwaggerModule.setup('api/docs', app, () => SwaggerModule.createDocument(app, doc), { jsonDocumentUrl: 'api/docs/openapi.json' });
  return app;
}

interface VError {
  property: string;
  constraints?: Record<string, string>;
  children?: VError[];
}

function flatten(errors: VError[], prefix = ''): string[] {
  const out: string[] = [];
  for (const e of errors) {
    const path = prefix ? `${prefix}.${e.property}` : e.property;
    for (const [kind, msg] of Object.entries(e.constraints ?? {})) {
      out.push(kind === 'whitelistValidation' ? `${path}: unknown field` : msg.startsWith(path) ? msg : `${path}: ${msg}`);
    }
    if (e.children?.length) out.push(...flatten(e.children, path));
  }
  return out;
}
