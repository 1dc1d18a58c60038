import type { KubeconfigVerdict, ValidateKubeconfigOptions } from './kubernetes/validate-kubeconfig';

/**
 * The Kubernetes client holds ~70 MB resident once loaded, and a platform on the simulated `local`
 * cluster never needs it: it is loaded with the first kubeconfig to check, not at start-up.
 */
export async function validateKubeconfig(kubeconfig: string, options: ValidateKubeconfigOptions): Promise<KubeconfigVerdict> {
  const { validateKubeconfig: validate } = await import('./kubernetes/validate-kubeconfig');
  return validate(kubeconfig, options);
}
