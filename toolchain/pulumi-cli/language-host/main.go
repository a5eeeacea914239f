// Command pulumi-language-nodejs is a minimal Node.js language host for the Pulumi engine, written for
// this project because the upstream host module cannot be fetched through the Go module proxy that these
// machines reach (see README, "Toolchain").
//
// It implements what `pulumi up/preview/refresh/destroy` need from a language host: plugin info, the
// required-packages query (answered with none, since provider plugins cannot be installed here anyway),
// Run, which starts the program with the run script that ships inside the installed @pulumi/pulumi, and
// RunPlugin for policy packs (`--policy-pack`), which the engine starts through the language host of the
// pack's runtime. Everything else answers Unimplemented, which the engine treats as "not supported".
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"

	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	"github.com/pulumi/pulumi/sdk/v3/go/common/version"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/emptypb"
	"google.golang.org/protobuf/types/known/structpb"
)

// The run script exits with this code when it has already reported the error to the engine.
const bailExitCode = 32

type host struct {
	pulumirpc.UnimplementedLanguageRuntimeServer
	engineAddress string
}

func main() {
	// The engine passes its own address as the last positional argument; older engines may pass flags
	// before it, which this host has no use for.
	engineAddress := ""
	for _, arg := range os.Args[1:] {
		if !strings.HasPrefix(arg, "-") {
			engineAddress = arg
		}
	}
	server := &host{engineAddress: engineAddress}
	handle, err := rpcutil.ServeWithOptions(rpcutil.ServeOptions{
		Init: func(srv *grpc.Server) error {
			pulumirpc.RegisterLanguageRuntimeServer(srv, server)
			return nil
		},
	})
	if err != nil {
		fmt.Fprintf(os.Stderr, "pulumi-language-nodejs: could not start the gRPC server: %v\n", err)
		os.Exit(1)
	}
	// The engine reads the port from the first line of stdout.
	fmt.Printf("%d\n", handle.Port)
	if err := <-handle.Done; err != nil {
		fmt.Fprintf(os.Stderr, "pulumi-language-nodejs: %v\n", err)
		os.Exit(1)
	}
}

func (h *host) Handshake(
	_ context.Context, req *pulumirpc.LanguageHandshakeRequest,
) (*pulumirpc.LanguageHandshakeResponse, error) {
	if req.GetEngineAddress() != "" {
		h.engineAddress = req.GetEngineAddress()
	}
	return &pulumirpc.LanguageHandshakeResponse{}, nil
}

func (h *host) GetPluginInfo(context.Context, *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: version.Version}, nil
}

func (h *host) GetRequiredPlugins(
	context.Context, *pulumirpc.GetRequiredPluginsRequest,
) (*pulumirpc.GetRequiredPluginsResponse, error) {
	return &pulumirpc.GetRequiredPluginsResponse{}, nil
}

func (h *host) GetRequiredPackages(
	context.Context, *pulumirpc.GetRequiredPackagesRequest,
) (*pulumirpc.GetRequiredPackagesResponse, error) {
	return &pulumirpc.GetRequiredPackagesResponse{}, nil
}

func (h *host) InstallDependencies(
	*pulumirpc.InstallDependenciesRequest, pulumirpc.LanguageRuntime_InstallDependenciesServer,
) error {
	// Dependencies come from the project's own `npm ci`; the engine asks only from `pulumi install`.
	return nil
}

func (h *host) Run(ctx context.Context, req *pulumirpc.RunRequest) (*pulumirpc.RunResponse, error) {
	programDir := req.GetInfo().GetProgramDirectory()
	if programDir == "" {
		programDir = req.GetPwd()
	}
	entryPoint := req.GetInfo().GetEntryPoint()
	if entryPoint == "" {
		entryPoint = "."
	}
	runScript, err := findPulumiScript(programDir, "run")
	if err != nil {
		return &pulumirpc.RunResponse{Error: err.Error()}, nil
	}

	args := []string{
		runScript,
		"--monitor", req.GetMonitorAddress(),
		"--engine", h.engineAddress,
		"--project", req.GetProject(),
		"--stack", req.GetStack(),
		"--pwd", req.GetPwd(),
		"--organization", req.GetOrganization(),
		"--root-directory", req.GetInfo().GetRootDirectory(),
	}
	if req.GetDryRun() {
		args = append(args, "--dry-run")
	}
	if req.GetParallel() > 1 {
		args = append(args, "--parallel", strconv.Itoa(int(req.GetParallel())))
	}
	args = append(args, entryPoint)
	args = append(args, req.GetArgs()...)

	env, err := programEnv(req)
	if err != nil {
		return nil, err
	}
	cmd := exec.CommandContext(ctx, "node", args...)
	cmd.Dir = req.GetPwd()
	cmd.Env = env
	// The engine shows the language host's own output as the program's output.
	cmd.Stdout = os.Stdout
	cmd.Stderr = os.Stderr
	if err := cmd.Run(); err != nil {
		var exitErr *exec.ExitError
		if errors.As(err, &exitErr) {
			if exitErr.ExitCode() == bailExitCode {
				return &pulumirpc.RunResponse{Bail: true}, nil
			}
			return &pulumirpc.RunResponse{
				Error: fmt.Sprintf("the Node.js program exited with code %d", exitErr.ExitCode()),
			}, nil
		}
		return &pulumirpc.RunResponse{Error: fmt.Sprintf("could not start node: %v (is Node.js >= 22 on PATH?)", err)}, nil
	}
	return &pulumirpc.RunResponse{}, nil
}

// programEnv hands the stack's configuration and the runtime options to the run script, which reads them
// from the environment.
func programEnv(req *pulumirpc.RunRequest) ([]string, error) {
	// A stack without config sends no map; the run script needs "{}", not "null".
	configMap := req.GetConfig()
	if configMap == nil {
		configMap = map[string]string{}
	}
	config, err := json.Marshal(configMap)
	if err != nil {
		return nil, err
	}
	secretKeys := req.GetConfigSecretKeys()
	if secretKeys == nil {
		secretKeys = []string{}
	}
	secrets, err := json.Marshal(secretKeys)
	if err != nil {
		return nil, err
	}
	env := append(os.Environ(),
		"PULUMI_CONFIG="+string(config),
		"PULUMI_CONFIG_SECRET_KEYS="+string(secrets),
	)
	options := req.GetInfo().GetOptions().GetFields()
	env = append(env, "PULUMI_NODEJS_TYPESCRIPT="+strconv.FormatBool(boolOption(options, "typescript", true)))
	if tsconfig := options["tsconfig"].GetStringValue(); tsconfig != "" {
		env = append(env, "PULUMI_NODEJS_TSCONFIG_PATH="+tsconfig)
	}
	return env, nil
}

func boolOption(options map[string]*structpb.Value, name string, fallback bool) bool {
	value, ok := options[name]
	if !ok {
		return fallback
	}
	if _, isBool := value.GetKind().(*structpb.Value_BoolValue); !isBool {
		return fallback
	}
	return value.GetBoolValue()
}

// RunPlugin starts a Node.js policy pack with the run-policy-pack script of the @pulumi/pulumi that the pack
// resolves, and streams its output back: the engine reads the analyzer's port from the first line of its
// stdout. Other plugin kinds (resource providers written as Node programs) are not needed here.
func (h *host) RunPlugin(
	req *pulumirpc.RunPluginRequest, server pulumirpc.LanguageRuntime_RunPluginServer,
) error {
	if req.GetKind() != "analyzer" {
		return status.Errorf(codes.Unimplemented, "this language host runs only policy packs, not %q plugins", req.GetKind())
	}
	packDir := req.GetInfo().GetProgramDirectory()
	if packDir == "" {
		packDir = req.GetPwd()
	}
	script, err := findPulumiScript(packDir, "run-policy-pack")
	if err != nil {
		return err
	}
	entryPoint := req.GetInfo().GetEntryPoint()
	if entryPoint == "" {
		entryPoint = "."
	}
	// The engine passes its own address; the run script wants it first, then the pack to load.
	args := append([]string{script}, req.GetArgs()...)
	args = append(args, entryPoint)
	cmd := exec.CommandContext(server.Context(), "node", args...)
	cmd.Dir = packDir
	cmd.Env = append(os.Environ(), req.GetEnv()...)
	var sending sync.Mutex
	cmd.Stdout = streamWriter(server, &sending, func(chunk []byte) *pulumirpc.RunPluginResponse {
		return &pulumirpc.RunPluginResponse{Output: &pulumirpc.RunPluginResponse_Stdout{Stdout: chunk}}
	})
	cmd.Stderr = streamWriter(server, &sending, func(chunk []byte) *pulumirpc.RunPluginResponse {
		return &pulumirpc.RunPluginResponse{Output: &pulumirpc.RunPluginResponse_Stderr{Stderr: chunk}}
	})
	exitCode := 0
	if err := cmd.Run(); err != nil {
		var exitErr *exec.ExitError
		if !errors.As(err, &exitErr) {
			return fmt.Errorf("could not start node for the policy pack in %s: %w (is Node.js >= 22 on PATH?)", packDir, err)
		}
		exitCode = exitErr.ExitCode()
	}
	sending.Lock()
	defer sending.Unlock()
	return server.Send(&pulumirpc.RunPluginResponse{Output: &pulumirpc.RunPluginResponse_Exitcode{Exitcode: int32(exitCode)}})
}

// writerFunc adapts a function to io.Writer.
type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(chunk []byte) (int, error) { return f(chunk) }

// streamWriter sends what a child process writes as messages of the RunPlugin stream, one at a time: a
// gRPC stream must not be sent on from two goroutines at once.
func streamWriter(
	server pulumirpc.LanguageRuntime_RunPluginServer, sending *sync.Mutex,
	message func([]byte) *pulumirpc.RunPluginResponse,
) writerFunc {
	return func(chunk []byte) (int, error) {
		sending.Lock()
		defer sending.Unlock()
		// exec reuses its buffer after Write returns.
		if err := server.Send(message(append([]byte(nil), chunk...))); err != nil {
			return 0, err
		}
		return len(chunk), nil
	}
}

// findPulumiScript locates one of @pulumi/pulumi's command scripts (cmd/<name>) the way Node resolves
// packages: in node_modules of the given folder or of any folder above it.
func findPulumiScript(programDir string, name string) (string, error) {
	dir, err := filepath.Abs(programDir)
	if err != nil {
		return "", err
	}
	for {
		candidate := filepath.Join(dir, "node_modules", "@pulumi", "pulumi", "cmd", name)
		if _, err := os.Stat(filepath.Join(candidate, "index.js")); err == nil {
			return candidate, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf(
				"@pulumi/pulumi is not installed in %s or any folder above it; run `npm ci` in the project", programDir)
		}
		dir = parent
	}
}
