//go:build tools

// Package tools pins the test API server's two programs, kube-apiserver and etcd, so that go.mod and go.sum
// list every module they are built from. scripts/bootstrap (step kube) builds them with -mod=readonly.
package tools

import (
	_ "go.etcd.io/etcd/server/v3"
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
)
