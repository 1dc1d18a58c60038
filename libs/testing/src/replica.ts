import { ServiceProcess } from './service-process';

/** One replica: a service process on a fixed port, restartable; the output of every run it had is kept. */
export class Replica {
  process!: ServiceProcess;
  private readonly earlierOutput: string[] = [];

  constructor(
    readonly name: string,
    private readonly entry: string,
    readonly port: number,
    private readonly env: () => Record<string, string>,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    if (this.process) this.earlierOutput.push(...this.process.output);
    this.process = new ServiceProcess(this.entry, this.env(), this.port);
    await this.process.start();
  }

  /** Every line this replica logged, across restarts. */
  lines(): string[] {
    return [...this.earlierOutput, ...(this.process?.output ?? [])].join('').split('\n');
  }
}

/** The JSON log lines (LOG_FORMAT=json) of `replicas` with the given message. */
export function logged(replicas: Replica[], message: string): Array<Record<string, unknown>> {
  const found: Array<Record<string, unknown>> = [];
  for (const replica of replicas) {
    for (const line of replica.lines()) {
      if (!line.includes(message)) continue;
      try {
        const entry = JSON.parse(line) as Record<string, unknown>;
        if (entry.message === message) found.push(entry);
      } catch {
        // a line cut by kill -9
      }
    }
  }
  return found;
}
