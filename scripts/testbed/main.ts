// The test bed's command line: `node dist/scripts/testbed/main.js <build|up|down|status|env>`.
//   build   build (or find cached) etcd, kube-apiserver/-controller-manager/-scheduler, kwok, daprd, kueue and promtool;
//           `build dapr` (or other component names) builds only those
//   up      build, then start the control plane, install the Flux CRDs and the fake GPU nodes;
//           with Kueue (its CRDs, webhooks and controller manager; added to a running one) unless TESTBED_KUEUE=0
//   down    stop every process `up` started (pid files) and remove .testbed/run/
//   status  print the running control plane's state (exit 1 when none runs)
//   env     print `export KUBECONFIG=…` for a shell
import { down, runningState, up } from './control-plane';
import { buildAll } from './go-build';

async function main(command: string): Promise<number> {
  switch (command) {
    case 'build': {
      const started = Date.now();
      const names = process.argv.slice(3).filter((arg) => !arg.startsWith('--'));
      const seconds = await buildAll({ force: process.argv.includes('--force'), only: names.length ? names : undefined });
      process.stdout.write(`${JSON.stringify({ seconds, total: (Date.now() - started) / 1000 })}\n`);
      return 0;
    }
    case 'up': {
      const state = await up();
      process.stdout.write(`${JSON.stringify(state, null, 2)}\n`);
      return 0;
    }
    case 'down':
      await down();
      return 0;
    case 'status': {
      const state = runningState();
      process.stdout.write(state ? `${JSON.stringify(state, null, 2)}\n` : 'not running\n');
      return state ? 0 : 1;
    }
    case 'env': {
      const state = runningState();
      if (!state) return 1;
      process.stdout.write(`export KUBECONFIG=${state.kubeconfig}\n`);
      return 0;
    }
    default:
      process.stderr.write(
        'usage: testbed build [--force] [etcd|kubernetes|kwok|dapr|kueue|promtool ...] | up | down | status | env   (TESTBED_KUEUE=0 up: without Kueue)\n',
      );
      return 2;
  }
}

main(process.argv[2] ?? '').then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`testbed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
