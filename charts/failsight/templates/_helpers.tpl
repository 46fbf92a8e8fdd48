{{/*
Chart name, truncated to the 63 characters Kubernetes names allow.
*/}}
{{- define "failsight.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Full name: the release name, plus the chart name unless the release name contains it.
*/}}
{{- define "failsight.fullname" -}}
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

{{/*
Chart label value: name-version.
*/}}
{{- define "failsight.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Labels on every object.
*/}}
{{- define "failsight.labels" -}}
helm.sh/chart: {{ include "failsight.chart" . }}
{{ include "failsight.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: failsight
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/*
Selector labels: stable across upgrades, so never add version labels here.
*/}}
{{- define "failsight.selectorLabels" -}}
app.kubernetes.io/name: {{ include "failsight.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/*
Per-component names and labels. Call with (dict "root" $ "component" "api").
*/}}
{{- define "failsight.componentName" -}}
{{- printf "%s-%s" (include "failsight.fullname" .root) .component | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "failsight.componentLabels" -}}
{{ include "failsight.labels" .root }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{- define "failsight.componentSelectorLabels" -}}
{{ include "failsight.selectorLabels" .root }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{/*
The label that ties a PartitionPolicy to this release: its controller watches only the
policies that carry it (CONTROLLER_SELECTOR), so two releases in one namespace never act on
each other's. A policy you write yourself needs it too.
*/}}
{{- define "failsight.policyReleaseKey" -}}
failsight.io/release
{{- end }}

{{- define "failsight.policyReleaseLabel" -}}
{{ include "failsight.policyReleaseKey" . }}: {{ .Release.Name | quote }}
{{- end }}

{{/*
The image reference.
*/}}
{{- define "failsight.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}

{{/*
The CloudNativePG cluster name.
*/}}
{{- define "failsight.cnpgClusterName" -}}
{{- default (printf "%s-db" (include "failsight.fullname" .)) .Values.cnpg.clusterName | trunc 50 | trimSuffix "-" }}
{{- end }}

{{/*
DATABASE_URL, from the CloudNativePG app secret or from an existing secret.
*/}}
{{- define "failsight.databaseEnv" -}}
- name: DATABASE_URL
  valueFrom:
    secretKeyRef:
{{- if .Values.cnpg.enabled }}
      name: {{ include "failsight.cnpgClusterName" . }}-app
      key: uri
{{- else }}
      name: {{ required "database.existingSecret is required when cnpg.enabled is false" .Values.database.existingSecret }}
      key: {{ .Values.database.uriKey }}
{{- end }}
{{- end }}

{{/*
The API's connections: DATABASE_URL as the runtime role (failsight_api, member of
failsight_runtime, owning nothing) and OWNER_DATABASE_URL as the owner, for the status
tracker. With CloudNativePG the runtime role is one of the cluster's managed roles and its
password is in the <cluster>-runtime Secret; with an external database, from
database.runtimeSecret when given (else everything on the owner's URL, which the API warns
about).
*/}}
{{- define "failsight.apiDatabaseEnv" -}}
{{- if .Values.cnpg.enabled }}
- name: RUNTIME_DB_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ include "failsight.runtimeSecretName" . }}
      key: password
- name: DATABASE_URL
  value: "postgresql://failsight_api:$(RUNTIME_DB_PASSWORD)@{{ include "failsight.cnpgClusterName" . }}-rw.{{ .Release.Namespace }}:5432/app"
- name: OWNER_DATABASE_URL
  valueFrom:
    secretKeyRef:
      name: {{ include "failsight.cnpgClusterName" . }}-app
      key: uri
{{- else if .Values.database.runtimeSecret }}
- name: DATABASE_URL
  valueFrom:
    secretKeyRef:
      name: {{ .Values.database.runtimeSecret }}
      key: {{ .Values.database.uriKey }}
- name: OWNER_DATABASE_URL
  valueFrom:
    secretKeyRef:
      name: {{ required "database.existingSecret is required when cnpg.enabled is false" .Values.database.existingSecret }}
      key: {{ .Values.database.uriKey }}
{{- else }}
{{ include "failsight.databaseEnv" . }}
{{- end }}
{{- end }}

{{/*
The basic-auth Secret holding the password of the API's runtime role under CloudNativePG:
one of yours (cnpg.runtimeSecret), or the one the chart makes.
*/}}
{{- define "failsight.runtimeSecretName" -}}
{{- default (printf "%s-runtime" (include "failsight.cnpgClusterName" .)) .Values.cnpg.runtimeSecret }}
{{- end }}

{{/*
The Secret holding the first admin's API key.
*/}}
{{- define "failsight.adminKeySecretName" -}}
{{- default (printf "%s-admin-key" (include "failsight.fullname" .)) .Values.auth.adminKeySecret }}
{{- end }}

{{/*
The Secret holding the API key of Grafana's Loki datasource.
*/}}
{{- define "failsight.grafanaKeySecretName" -}}
{{- default (printf "%s-grafana-key" (include "failsight.fullname" .)) .Values.monitoring.lokiDatasource.keySecret }}
{{- end }}

{{/*
The key of that Secret holding the API key. A Secret of the user's holds it under the name
of the environment variable Grafana reads it from (envFromSecrets), FAILSIGHT_GRAFANA_KEY.
*/}}
{{- define "failsight.grafanaKeyKey" -}}
{{- ternary "FAILSIGHT_GRAFANA_KEY" "key" (not (empty .Values.monitoring.lokiDatasource.keySecret)) }}
{{- end }}

{{/*
The migrate init container, shared by the API and controller pods.
*/}}
{{- define "failsight.migrateInitContainer" -}}
{{- if .Values.migrations.enabled }}
initContainers:
  - name: migrate
    image: {{ include "failsight.image" . }}
    imagePullPolicy: {{ .Values.image.pullPolicy }}
    command: ["node", "dist/app/main/migrate.js"]
    env:
      {{- include "failsight.databaseEnv" . | nindent 6 }}
      {{- if and .Values.cnpg.enabled .Values.monitoring.sqlDatasource.team }}
      # Registers Grafana's role as the team's SQL reader once the migrations are applied.
      - name: SQL_READERS
        value: {{ printf "failsight_grafana:%s" .Values.monitoring.sqlDatasource.team | quote }}
      {{- end }}
    securityContext:
      {{- toYaml .Values.containerSecurityContext | nindent 6 }}
    resources:
      requests: {cpu: 50m, memory: 128Mi}
      limits: {memory: 256Mi}
{{- end }}
{{- end }}

{{/*
Labels on prometheus-operator objects, so the operator's selector finds them.
*/}}
{{- define "failsight.monitoringLabels" -}}
{{- with .Values.monitoring.labels }}
{{ toYaml . }}
{{- end }}
{{- end }}
