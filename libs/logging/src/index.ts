import type { LoggerService } from '@nestjs/common';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFields = Record<string, unknown>;
const rank: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

interface LoggerSettings {
  level: LogLevel;
  format: 'json' | 'pretty';
  service: string;
}
const settings: LoggerSettings = { level: 'info', format: 'pretty', service: 'bud' };

export function configureLogging(next: Partial<LoggerSettings>): void {
  Object.assign(settings, next);
}

/** Structured logger: one line per event, context and key-value fields. */
export class Logger {
  constructor(private readonly context: string) {}

  debug(message: string, fields?: LogFields): void {
    this.write('debug', message, fields);
  }
  info(message: string, fields?: LogFields): void {
    this.write('info', message, fields);
  }
  warn(message: string, fields?: LogFields): void {
    this.write('warn', message, fields);
  }
  error(message: string, fields?: LogFields): void {
    this.write('error', message, fields);
  }

  private write(level: LogLevel, message: string, fields?: LogFields): void {
    if (rank[level] < rank[settings.level]) return;
    const stream = level === 'error' || level === 'warn' ? process.stderr : process.stdout;
    if (settings.format === 'json') {
      stream.write(
        `${JSON.stringify({ time: new Date().toISOString(), level, service: settings.service, context: this.context, message, ...fields })}\n`,
      );
      return;
    }
    const extra =
      fields && Object.keys(fields).length > 0
        ? ` ${Object.entries(fields)
            .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
            .join(' ')}`
        : '';
    stream.write(`${new Date().toISOString()} ${level.toUpperCase().padEnd(5)} [${this.context}] ${message}${extra}\n`);
  }
}

/** Routes Nest's own log calls through the structured logger. */
export class NestLoggerAdapter implements LoggerService {
  private readonly logger = new Logger('nest');
  log(message: unknown, context?: string): void {
    if (context === 'RoutesResolver' || context === 'RouterExplorer' || context === 'InstanceLoader') return;
    this.logger.debug(String(message), context ? { nest_context: context } : undefined);
  }
  error(message: unknown, trace?: string, context?: string): void {
    this.logger.error(String(message), { trace, nest_context: context });
  }
  warn(message: unknown, context?: string): void {
    this.logger.warn(String(message), { nest_context: context });
  }
  debug(message: unknown, context?: string): void {
    this.logger.debug(String(message), { nest_context: context });
  }
  verbose(message: unknown, context?: string): void {
    this.logger.debug(String(message), { nest_context: context });
  }
}
