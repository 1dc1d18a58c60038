export { KubernetesDriver, type KubernetesDriverOptions, type ReconcileOptions } from './kubernetes-driver';
export { validateKubeconfig, type KubeconfigVerdict, type ValidateKubeconfigOptions } from './validate-kubeconfig';
export { gpuInventoryFromNodes } from './gpu-inventory';
export { statusFromObject, type DerivedStatus } from './status-from-objects';
