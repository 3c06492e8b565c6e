// chart-render renders a Helm chart the way `helm template` does, for tests on machines without
// Helm: Go's text/template with the sprig functions plus Helm's own (include, tpl, required,
// toYaml, fromYaml, toJson, fromJson, lookup). Values come from the chart's values.yaml, merged
// with -f files and --set key=value pairs (dotted keys; values parsed as YAML scalars).
//
// Usage:
//
//	chart-render [--release NAME] [--namespace NS] [--include-crds] [--notes] [-f values.yaml]... [--set k=v]... CHART_DIR
//
// Output: the rendered manifests as one YAML stream ("# Source:" comments as Helm writes them);
// with --notes, the rendered NOTES.txt instead. A template error, a failed `required`, or a rendered
// document that is not valid YAML exits non-zero with the template's name in the message.
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"text/template"

	"github.com/Masterminds/sprig"
	"gopkg.in/yaml.v3"
)

type stringList []string

func (s *stringList) String() string     { return strings.Join(*s, ",") }
func (s *stringList) Set(v string) error { *s = append(*s, v); return nil }

func main() {
	release := flag.String("release", "lifeboat", "release name")
	namespace := flag.String("namespace", "default", "release namespace")
	includeCRDs := flag.Bool("include-crds", false, "also print the chart's crds/ (as helm template --include-crds)")
	notes := flag.Bool("notes", false, "print the rendered NOTES.txt instead of the manifests")
	var valueFiles, sets stringList
	flag.Var(&valueFiles, "f", "values file (repeatable)")
	flag.Var(&sets, "set", "key=value override (repeatable)")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: chart-render [flags] CHART_DIR")
		os.Exit(2)
	}
	out, err := render(flag.Arg(0), *release, *namespace, valueFiles, sets, *includeCRDs, *notes)
	if err != nil {
		fmt.Fprintln(os.Stderr, "chart-render:", err)
		os.Exit(1)
	}
	os.Stdout.WriteString(out)
}

func readYAMLMap(path string) (map[string]interface{}, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	m := map[string]interface{}{}
	if err := yaml.Unmarshal(data, &m); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return m, nil
}

// mergeValues overlays src onto dst: maps merge recursively, anything else replaces.
func mergeValues(dst, src map[string]interface{}) map[string]interface{} {
	for k, v := range src {
		if sm, ok := v.(map[string]interface{}); ok {
			if dm, ok := dst[k].(map[string]interface{}); ok {
				dst[k] = mergeValues(dm, sm)
				continue
			}
		}
		dst[k] = v
	}
	return dst
}

func applySet(values map[string]interface{}, assignment string) error {
	eq := strings.Index(assignment, "=")
	if eq <= 0 {
		return fmt.Errorf("--set %q: want key=value", assignment)
	}
	keys := strings.Split(assignment[:eq], ".")
	var value interface{}
	if err := yaml.Unmarshal([]byte(assignment[eq+1:]), &value); err != nil {
		value = assignment[eq+1:]
	}
	node := values
	for _, k := range keys[:len(keys)-1] {
		next, ok := node[k].(map[string]interface{})
		if !ok {
			next = map[string]interface{}{}
			node[k] = next
		}
		node = next
	}
	node[keys[len(keys)-1]] = value
	return nil
}

func toYAML(v interface{}) (string, error) {
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(v); err != nil {
		return "", err
	}
	return strings.TrimSuffix(buf.String(), "\n"), nil
}

func render(chartDir, release, namespace string, valueFiles, sets []string, includeCRDs, notesOnly bool) (string, error) {
	chart, err := readYAMLMap(filepath.Join(chartDir, "Chart.yaml"))
	if err != nil {
		return "", err
	}
	chartName, _ := chart["name"].(string)
	if chartName == "" {
		return "", errors.New("Chart.yaml has no name")
	}
	values, err := readYAMLMap(filepath.Join(chartDir, "values.yaml"))
	if err != nil {
		return "", err
	}
	for _, f := range valueFiles {
		overlay, err := readYAMLMap(f)
		if err != nil {
			return "", err
		}
		values = mergeValues(values, overlay)
	}
	for _, s := range sets {
		if err := applySet(values, s); err != nil {
			return "", err
		}
	}
	// Helm exposes Chart.yaml's fields capitalised (.Chart.Name, .Chart.AppVersion, ...).
	chartData := map[string]interface{}{}
	for k, v := range chart {
		chartData[strings.ToUpper(k[:1])+k[1:]] = v
	}
	top := map[string]interface{}{
		"Values":  values,
		"Chart":   chartData,
		"Release": map[string]interface{}{"Name": release, "Namespace": namespace, "Service": "Helm", "IsInstall": true, "IsUpgrade": false, "Revision": 1},
		"Capabilities": map[string]interface{}{
			"KubeVersion": map[string]interface{}{"Version": "v1.24.0", "Major": "1", "Minor": "24"},
		},
	}

	root := template.New("root").Option("missingkey=zero")
	funcs := sprig.TxtFuncMap()
	delete(funcs, "env") // Helm removes these: a chart must not depend on the renderer's environment.
	delete(funcs, "expandenv")
	funcs["toYaml"] = func(v interface{}) string {
		s, err := toYAML(v)
		if err != nil {
			return "" // As Helm: a value that cannot be marshalled renders as nothing.
		}
		return s
	}
	funcs["fromYaml"] = func(s string) map[string]interface{} {
		m := map[string]interface{}{}
		if err := yaml.Unmarshal([]byte(s), &m); err != nil {
			m["Error"] = err.Error()
		}
		return m
	}
	funcs["toJson"] = func(v interface{}) string {
		b, err := json.Marshal(v)
		if err != nil {
			return ""
		}
		return string(b)
	}
	funcs["fromJson"] = func(s string) map[string]interface{} {
		m := map[string]interface{}{}
		if err := json.Unmarshal([]byte(s), &m); err != nil {
			m["Error"] = err.Error()
		}
		return m
	}
	funcs["required"] = func(message string, v interface{}) (interface{}, error) {
		if v == nil {
			return nil, errors.New(message)
		}
		if s, ok := v.(string); ok && s == "" {
			return nil, errors.New(message)
		}
		return v, nil
	}
	funcs["include"] = func(name string, data interface{}) (string, error) {
		var buf bytes.Buffer
		if err := root.ExecuteTemplate(&buf, name, data); err != nil {
			return "", err
		}
		return buf.String(), nil
	}
	funcs["tpl"] = func(text string, data interface{}) (string, error) {
		t, err := root.Clone()
		if err != nil {
			return "", err
		}
		t, err = t.New("tpl").Parse(text)
		if err != nil {
			return "", err
		}
		var buf bytes.Buffer
		if err := t.Execute(&buf, data); err != nil {
			return "", err
		}
		return buf.String(), nil
	}
	funcs["lookup"] = func(apiVersion, kind, namespace, name string) map[string]interface{} {
		return map[string]interface{}{} // As `helm template`: there is no cluster to look in.
	}
	root.Funcs(funcs)

	templateDir := filepath.Join(chartDir, "templates")
	entries, err := os.ReadDir(templateDir)
	if err != nil {
		return "", err
	}
	var names []string
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		name := e.Name()
		data, err := os.ReadFile(filepath.Join(templateDir, name))
		if err != nil {
			return "", err
		}
		full := chartName + "/templates/" + name
		if _, err := root.New(full).Parse(string(data)); err != nil {
			return "", err
		}
		names = append(names, name)
	}
	sort.Strings(names)

	var out strings.Builder
	if notesOnly {
		t := root.Lookup(chartName + "/templates/NOTES.txt")
		if t == nil {
			return "", errors.New("the chart has no templates/NOTES.txt")
		}
		var buf bytes.Buffer
		if err := t.Execute(&buf, withTemplate(top, chartName+"/templates/NOTES.txt", chartName)); err != nil {
			return "", err
		}
		return buf.String(), nil
	}
	if includeCRDs {
		crdDir := filepath.Join(chartDir, "crds")
		crds, _ := os.ReadDir(crdDir)
		for _, e := range crds {
			if e.IsDir() || !(strings.HasSuffix(e.Name(), ".yaml") || strings.HasSuffix(e.Name(), ".yml")) {
				continue
			}
			data, err := os.ReadFile(filepath.Join(crdDir, e.Name()))
			if err != nil {
				return "", err
			}
			fmt.Fprintf(&out, "---\n# Source: %s/crds/%s\n%s", chartName, e.Name(), strings.TrimPrefix(string(data), "---\n"))
			if !strings.HasSuffix(out.String(), "\n") {
				out.WriteString("\n")
			}
		}
	}
	for _, name := range names {
		if strings.HasPrefix(name, "_") || name == "NOTES.txt" || !(strings.HasSuffix(name, ".yaml") || strings.HasSuffix(name, ".yml")) {
			continue
		}
		full := chartName + "/templates/" + name
		var buf bytes.Buffer
		if err := root.Lookup(full).Execute(&buf, withTemplate(top, full, chartName)); err != nil {
			return "", err
		}
		for _, doc := range splitDocuments(buf.String()) {
			var parsed interface{}
			if err := yaml.Unmarshal([]byte(doc), &parsed); err != nil {
				return "", fmt.Errorf("%s: rendered YAML is invalid: %w\n%s", full, err, doc)
			}
			if parsed == nil {
				continue // Only comments or whitespace (a disabled template).
			}
			fmt.Fprintf(&out, "---\n# Source: %s\n%s\n", full, strings.TrimRight(doc, "\n "))
		}
	}
	return out.String(), nil
}

func withTemplate(top map[string]interface{}, name, chartName string) map[string]interface{} {
	copy := map[string]interface{}{}
	for k, v := range top {
		copy[k] = v
	}
	copy["Template"] = map[string]interface{}{"Name": name, "BasePath": chartName + "/templates"}
	return copy
}

// splitDocuments splits a rendered template at "---" lines.
func splitDocuments(text string) []string {
	var docs []string
	var current []string
	for _, line := range strings.Split(text, "\n") {
		if strings.TrimRight(line, " ") == "---" {
			docs = append(docs, strings.Join(current, "\n"))
			current = nil
			continue
		}
		current = append(current, line)
	}
	docs = append(docs, strings.Join(current, "\n"))
	return docs
}
