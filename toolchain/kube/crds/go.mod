// The CustomResourceDefinitions that PolarisServer's optional objects need, as their projects publish them
// inside their Go modules: Gateway API (HTTPRoute) and prometheus-operator (ServiceMonitor). Nothing here is
// built; the API server tests install the CRDs from the module cache, checked against go.sum. A module of
// its own, because requiring these beside kube-apiserver would raise the versions it is built with. No Go
// code imports them, so `go mod tidy` would drop both requirements: edit this file by hand.
module polaris-pulumi.invalid/toolchain/kube/crds

go 1.26.0

require (
	github.com/prometheus-operator/prometheus-operator v0.85.0
	sigs.k8s.io/gateway-api v1.6.3
)
