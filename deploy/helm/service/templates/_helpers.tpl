{{/* Chart name, overridable. */}}
{{- define "yishe-service.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Resource name: fullnameOverride (the values files set it to the service name, which is
     also its DNS name, e.g. http://credit:8000), else <release>-<chart>. */}}
{{- define "yishe-service.fullname" -}}
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

{{- define "yishe-service.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
app.kubernetes.io/name: {{ include "yishe-service.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/part-of: yishe
app.kubernetes.io/version: {{ .Values.image.tag | default .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{/* Selects the API pods only: the migrate Job's pods carry component=migrate, so the Service
     never routes to them. */}}
{{- define "yishe-service.selectorLabels" -}}
app.kubernetes.io/name: {{ include "yishe-service.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: api
{{- end }}

{{- define "yishe-service.image" -}}
{{- $repo := required "image.repository is required" .Values.image.repository }}
{{- $tag := required "image.tag is required (e.g. --set image.tag=$GIT_SHA)" .Values.image.tag }}
{{- printf "%s:%s" $repo $tag }}
{{- end }}

{{/* env and envFrom, identical for the app container and the migrate container. */}}
{{- define "yishe-service.env" -}}
{{- if or .Values.env .Values.tracing.otlpEndpoint }}
env:
{{- range $name, $value := .Values.env }}
  - name: {{ $name }}
    value: {{ $value | quote }}
{{- end }}
{{- with .Values.tracing.otlpEndpoint }}
  - name: OTEL_EXPORTER_OTLP_TRACES_ENDPOINT
    value: {{ . | quote }}
{{- end }}
{{- end }}
{{- with .Values.existingSecret }}
envFrom:
  - secretRef:
      name: {{ . }}
{{- end }}
{{- end }}
