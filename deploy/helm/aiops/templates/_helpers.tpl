{{/* The chart's name, overridable. */}}
{{- define "aiops.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* The release's full name: release-chart, or the release alone when it already holds the chart's name. */}}
{{- define "aiops.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "aiops.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "aiops.labels" -}}
helm.sh/chart: {{ include "aiops.chart" . }}
{{ include "aiops.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "aiops.selectorLabels" -}}
app.kubernetes.io/name: {{ include "aiops.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "aiops.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "aiops.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* The workers' account when healing.executor.enabled: the read-only rules and the executor's writes. */}}
{{- define "aiops.executorServiceAccountName" -}}
{{- default (printf "%s-executor" (include "aiops.fullname" .)) .Values.healing.executor.serviceAccountName }}
{{- end }}

{{/* The workers run approved fixes: the executor account when healing.executor.enabled, else the read-only one. */}}
{{- define "aiops.workerServiceAccountName" -}}
{{- if .Values.healing.executor.enabled }}
{{- include "aiops.executorServiceAccountName" . }}
{{- else }}
{{- include "aiops.serviceAccountName" . }}
{{- end }}
{{- end }}

{{/*
The bot deployment always runs as the read-only account, so the fixes must run in separate
workers: refuse healing.executor.enabled where the bot's process would take jobs (`aiops start`).
*/}}
{{- define "aiops.validateHealing" -}}
{{- if and .Values.healing.executor.enabled (ne (include "aiops.botRole" .) "bot") }}
{{- fail "healing.executor.enabled: approved fixes run in the workers only (the bot stays read-only); set workers.replicas above 0 and leave bot.role empty or `bot`" }}
{{- end }}
{{- end }}

{{- define "aiops.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}

{{/* The aiops command the bot deployment runs: bot.role, else `bot` beside separate workers, else `start`. */}}
{{- define "aiops.botRole" -}}
{{- if .Values.bot.role }}
{{- .Values.bot.role }}
{{- else if gt (int .Values.workers.replicas) 0 }}
{{- "bot" }}
{{- else }}
{{- "start" }}
{{- end }}
{{- end }}

{{/* "true" when the chart makes the Secret: existingSecret is empty and `secrets` sets something; else empty. */}}
{{- define "aiops.createSecret" -}}
{{- if not .Values.existingSecret }}
{{- range $name, $value := .Values.secrets }}
{{- if $value }}true{{ end }}
{{- end }}
{{- end }}
{{- end }}

{{/* The Secret the pods read as environment variables: existingSecret, the chart's own from `secrets`, or none (empty). */}}
{{- define "aiops.secretName" -}}
{{- if .Values.existingSecret }}
{{- .Values.existingSecret }}
{{- else if include "aiops.createSecret" . }}
{{- printf "%s-secrets" (include "aiops.fullname" .) }}
{{- end }}
{{- end }}

{{/*
A PodDisruptionBudget for the bot or the workers, while it has more than one replica: with one,
maxUnavailable 1 protects nothing and minAvailable 1 would block every node drain.
Arguments: dict "root" $ "component" "bot"|"worker" "settings" <bot or workers values>
*/}}
{{- define "aiops.podDisruptionBudget" -}}
{{- $budget := .settings.podDisruptionBudget }}
{{- if and $budget.enabled (gt (int .settings.replicas) 1) }}
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: {{ include "aiops.fullname" .root }}-{{ .component }}
  labels:
    {{- include "aiops.labels" .root | nindent 4 }}
    app.kubernetes.io/component: {{ .component }}
spec:
  {{- if ne (toString $budget.minAvailable) "" }}
  minAvailable: {{ $budget.minAvailable }}
  {{- else }}
  maxUnavailable: {{ $budget.maxUnavailable }}
  {{- end }}
  # A pod that is not ready (Redis lost, crash-looping) serves nothing: evicting it must not wait for the others.
  unhealthyPodEvictionPolicy: AlwaysAllow
  selector:
    matchLabels:
      {{- include "aiops.selectorLabels" .root | nindent 6 }}
      app.kubernetes.io/component: {{ .component }}
{{- end }}
{{- end }}

{{- define "aiops.catalogueConfigMap" -}}
{{- default (printf "%s-catalogue" (include "aiops.fullname" .)) .Values.catalogue.existingConfigMap }}
{{- end }}

{{/* The namespaces RoleBindings go to, as a JSON list: rbac.namespaces without blanks or repeats, else the release's. */}}
{{- define "aiops.watchedNamespaces" -}}
{{- $namespaces := .Values.rbac.namespaces | default list | compact | uniq }}
{{- if not $namespaces }}
{{- $namespaces = list .Release.Namespace }}
{{- end }}
{{- toJson $namespaces }}
{{- end }}

{{- define "aiops.kubeconfigPath" -}}
/etc/aiops-kube/config
{{- end }}

{{/*
The pod template shared by the bot and the workers.
Arguments: dict "root" $ "component" "bot"|"worker" "role" <aiops command> "serviceAccount" <its name> "settings" <bot or workers values> "probes" <bool>
*/}}
{{- define "aiops.podTemplate" -}}
{{- $root := .root -}}
{{- $settings := .settings -}}
metadata:
  labels:
    {{- include "aiops.selectorLabels" $root | nindent 4 }}
    app.kubernetes.io/component: {{ .component }}
  annotations:
    # Roll the pods when the catalogue or the kubeconfig changes.
    checksum/config: {{ include (print $root.Template.BasePath "/configmap.yaml") $root | sha256sum }}
    {{- if include "aiops.createSecret" $root }}
    # Environment variables are read at start: a changed token needs new pods.
    checksum/secret: {{ include (print $root.Template.BasePath "/secret.yaml") $root | sha256sum }}
    {{- end }}
    {{- if $root.Values.metrics.podAnnotations }}
    prometheus.io/scrape: "true"
    prometheus.io/port: {{ $root.Values.port | quote }}
    prometheus.io/path: "/metrics"
    {{- end }}
    {{- with $settings.podAnnotations }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
spec:
  serviceAccountName: {{ .serviceAccount }}
  terminationGracePeriodSeconds: {{ $settings.terminationGracePeriodSeconds }}
  automountServiceAccountToken: {{ $root.Values.kubernetes.inCluster }}
  {{- with $root.Values.imagePullSecrets }}
  imagePullSecrets:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  securityContext:
    {{- toYaml $root.Values.podSecurityContext | nindent 4 }}
  containers:
    - name: aiops
      image: {{ include "aiops.image" $root }}
      imagePullPolicy: {{ $root.Values.image.pullPolicy }}
      args: [{{ .role | quote }}]
      securityContext:
        {{- toYaml $root.Values.securityContext | nindent 8 }}
      ports:
        - name: http
          containerPort: {{ $root.Values.port }}
          protocol: TCP
      {{- with include "aiops.secretName" $root }}
      envFrom:
        - secretRef:
            name: {{ . }}
      {{- end }}
      env:
        - name: PORT
          value: {{ $root.Values.port | quote }}
        # Every interface of the pod: the kubelet's probes, the Service and Prometheus come from outside it.
        - name: BIND_ADDRESS
          value: "0.0.0.0"
        {{- if $root.Values.redis.existingSecret }}
        - name: REDIS_URL
          valueFrom:
            secretKeyRef:
              name: {{ $root.Values.redis.existingSecret }}
              key: {{ $root.Values.redis.existingSecretKey }}
        {{- else }}
        - name: REDIS_URL
          value: {{ $root.Values.redis.url | quote }}
        {{- end }}
        - name: AIOPS_CONFIG
          value: {{ printf "%s/%s" (trimSuffix "/" $root.Values.catalogue.mountPath) $root.Values.catalogue.fileName | quote }}
        {{- if $root.Values.kubernetes.inCluster }}
        - name: KUBECONFIG
          value: {{ include "aiops.kubeconfigPath" $root | quote }}
        {{- end }}
        {{- range $name, $value := $root.Values.env }}
        {{- if not (kindIs "invalid" $value) }}
        {{- if ne (toString $value) "" }}
        - name: {{ $name }}
          value: {{ toString $value | quote }}
        {{- end }}
        {{- end }}
        {{- end }}
        {{- with $root.Values.extraEnv }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
      {{- if .probes }}
      {{- with $root.Values.probes.startup }}
      startupProbe:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with $root.Values.probes.liveness }}
      livenessProbe:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with $root.Values.probes.readiness }}
      readinessProbe:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- end }}
      resources:
        {{- toYaml $settings.resources | nindent 8 }}
      volumeMounts:
        - name: catalogue
          mountPath: {{ $root.Values.catalogue.mountPath }}
          readOnly: true
        {{- if $root.Values.kubernetes.inCluster }}
        - name: kubeconfig
          mountPath: {{ include "aiops.kubeconfigPath" $root | dir }}
          readOnly: true
        {{- end }}
        - name: tmp
          mountPath: /tmp
        {{- with $root.Values.extraVolumeMounts }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
  volumes:
    - name: catalogue
      configMap:
        name: {{ include "aiops.catalogueConfigMap" $root }}
    {{- if $root.Values.kubernetes.inCluster }}
    - name: kubeconfig
      configMap:
        name: {{ include "aiops.fullname" $root }}-kubeconfig
    {{- end }}
    - name: tmp
      emptyDir: {}
    {{- with $root.Values.extraVolumes }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
  {{- with $settings.nodeSelector }}
  nodeSelector:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with $settings.tolerations }}
  tolerations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with $settings.affinity }}
  affinity:
    {{- toYaml . | nindent 4 }}
  {{- end }}
{{- end }}
