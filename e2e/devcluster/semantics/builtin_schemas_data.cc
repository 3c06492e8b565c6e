// The built-in schema definitions, in the notation described in builtin_schemas_internal.h.
// Field sets follow Kubernetes 1.32 (k8s.io/api); strategic-merge metadata follows the Go struct
// tags (patchStrategy / patchMergeKey).
#include "e2e/devcluster/semantics/builtin_schemas_internal.h"

namespace lifeboat::devcluster::internal {
namespace {

// ----------------------------------------------------------------------------- meta/v1
constexpr std::string_view kMeta = R"(
ObjectMeta:
  name: string
  generateName: string
  namespace: string
  selfLink: string
  uid: string
  resourceVersion: string
  generation: int64
  creationTimestamp: time
  deletionTimestamp: time
  deletionGracePeriodSeconds: int64
  labels: map[string]
  annotations: map[string]
  ownerReferences: []OwnerReference merge=uid
  finalizers: []string set
  managedFields: []ManagedFieldsEntry

OwnerReference:
  apiVersion: string
  kind: string
  name: string
  uid: string
  controller: boolean
  blockOwnerDeletion: boolean

ManagedFieldsEntry:
  manager: string
  operation: string
  apiVersion: string
  time: time
  fieldsType: string
  fieldsV1: object
  subresource: string

LabelSelector:
  matchLabels: map[string]
  matchExpressions: []LabelSelectorRequirement

LabelSelectorRequirement:
  key: string
  operator: string
  values: []string

Condition:
  type: string
  status: string
  observedGeneration: int64
  lastTransitionTime: time
  reason: string
  message: string
)";


// ----------------------------------------------------------------------------- core/v1: pods
// Rarely used volume sources (cloud disks, legacy network filesystems) are `object`: accepted and
// kept as they are, not checked field by field.
constexpr std::string_view kPods = R"(
Pod: kind=v1
  apiVersion: string
  kind: string
  metadata: ObjectMeta
  spec: PodSpec
  status: PodStatus

PodTemplateSpec:
  metadata: ObjectMeta
  spec: PodSpec

PodSpec:
  volumes: []Volume mergeRetain=name
  initContainers: []Container merge=name
  containers: []Container merge=name required
  ephemeralContainers: []EphemeralContainer merge=name
  restartPolicy: string enum=Always|OnFailure|Never go=v1.RestartPolicy
  terminationGracePeriodSeconds: int64
  activeDeadlineSeconds: int64
  dnsPolicy: string enum=ClusterFirst|ClusterFirstWithHostNet|Default|None go=v1.DNSPolicy
  nodeSelector: map[string]
  serviceAccountName: string
  serviceAccount: string
  automountServiceAccountToken: boolean
  nodeName: string
  hostNetwork: boolean
  hostPID: boolean
  hostIPC: boolean
  shareProcessNamespace: boolean
  securityContext: PodSecurityContext
  imagePullSecrets: []LocalObjectReference merge=name
  hostname: string
  subdomain: string
  affinity: Affinity
  schedulerName: string
  tolerations: []Toleration
  hostAliases: []HostAlias merge=ip
  priorityClassName: string
  priority: int32
  dnsConfig: PodDNSConfig
  readinessGates: []PodReadinessGate
  runtimeClassName: string
  enableServiceLinks: boolean
  preemptionPolicy: string
  overhead: map[quantity]
  topologySpreadConstraints: []TopologySpreadConstraint merge=topologyKey
  setHostnameAsFQDN: boolean
  os: PodOS
  hostUsers: boolean
  schedulingGates: []PodSchedulingGate merge=name
  resourceClaims: []PodResourceClaim mergeRetain=name
  resources: ResourceRequirements

Container:
  name: string required
  image: string
  command: []string
  args: []string
  workingDir: string
  ports: []ContainerPort merge=containerPort
  envFrom: []EnvFromSource
  env: []EnvVar merge=name
  resources: ResourceRequirements
  resizePolicy: []ContainerResizePolicy
  restartPolicy: string
  volumeMounts: []VolumeMount merge=mountPath
  volumeDevices: []VolumeDevice merge=devicePath
  livenessProbe: Probe
  readinessProbe: Probe
  startupProbe: Probe
  lifecycle: Lifecycle
  terminationMessagePath: string
  terminationMessagePolicy: string enum=File|FallbackToLogsOnError go=v1.TerminationMessagePolicy
  imagePullPolicy: string enum=Always|IfNotPresent|Never go=v1.PullPolicy
  securityContext: SecurityContext
  stdin: boolean
  stdinOnce: boolean
  tty: boolean

EphemeralContainer:
  name: string required
  image: string
  command: []string
  args: []string
  workingDir: string
  ports: []ContainerPort merge=containerPort
  envFrom: []EnvFromSource
  env: []EnvVar merge=name
  resources: ResourceRequirements
  resizePolicy: []ContainerResizePolicy
  restartPolicy: string
  volumeMounts: []VolumeMount merge=mountPath
  volumeDevices: []VolumeDevice merge=devicePath
  livenessProbe: Probe
  readinessProbe: Probe
  startupProbe: Probe
  lifecycle: Lifecycle
  terminationMessagePath: string
  terminationMessagePolicy: string enum=File|FallbackToLogsOnError go=v1.TerminationMessagePolicy
  imagePullPolicy: string enum=Always|IfNotPresent|Never go=v1.PullPolicy
  securityContext: SecurityContext
  stdin: boolean
  stdinOnce: boolean
  tty: boolean
  targetContainerName: string

ContainerPort:
  name: string
  hostPort: int32
  containerPort: int32 required
  protocol: string enum=SCTP|TCP|UDP go=v1.Protocol
  hostIP: string

EnvVar:
  name: string required
  value: string
  valueFrom: EnvVarSource

EnvVarSource:
  fieldRef: ObjectFieldSelector
  resourceFieldRef: ResourceFieldSelector
  configMapKeyRef: ConfigMapKeySelector
  secretKeyRef: SecretKeySelector

ObjectFieldSelector:
  apiVersion: string
  fieldPath: string required

ResourceFieldSelector:
  containerName: string
  resource: string required
  divisor: quantity

ConfigMapKeySelector:
  name: string
  key: string required
  optional: boolean

SecretKeySelector:
  name: string
  key: string required
  optional: boolean

EnvFromSource:
  prefix: string
  configMapRef: ConfigMapEnvSource
  secretRef: SecretEnvSource

ConfigMapEnvSource:
  name: string
  optional: boolean

SecretEnvSource:
  name: string
  optional: boolean

ResourceRequirements:
  limits: map[quantity]
  requests: map[quantity]
  claims: []ResourceClaim

ResourceClaim:
  name: string required
  request: string

ContainerResizePolicy:
  resourceName: string required
  restartPolicy: string required

VolumeMount:
  name: string required
  readOnly: boolean
  recursiveReadOnly: string
  mountPath: string required
  subPath: string
  mountPropagation: string
  subPathExpr: string

VolumeDevice:
  name: string required
  devicePath: string required

Probe:
  exec: ExecAction
  httpGet: HTTPGetAction
  tcpSocket: TCPSocketAction
  grpc: GRPCAction
  initialDelaySeconds: int32
  timeoutSeconds: int32
  periodSeconds: int32
  successThreshold: int32
  failureThreshold: int32
  terminationGracePeriodSeconds: int64

ExecAction:
  command: []string

HTTPGetAction:
  path: string
  port: intstr required
  host: string
  scheme: string enum=HTTP|HTTPS
  httpHeaders: []HTTPHeader

HTTPHeader:
  name: string required
  value: string required

TCPSocketAction:
  port: intstr required
  host: string

GRPCAction:
  port: int32 required
  service: string

Lifecycle:
  postStart: LifecycleHandler
  preStop: LifecycleHandler

LifecycleHandler:
  exec: ExecAction
  httpGet: HTTPGetAction
  tcpSocket: TCPSocketAction
  sleep: SleepAction

SleepAction:
  seconds: int64 required

SecurityContext:
  capabilities: Capabilities
  privileged: boolean
  seLinuxOptions: SELinuxOptions
  windowsOptions: WindowsSecurityContextOptions
  runAsUser: int64
  runAsGroup: int64
  runAsNonRoot: boolean
  readOnlyRootFilesystem: boolean
  allowPrivilegeEscalation: boolean
  procMount: string
  seccompProfile: SeccompProfile
  appArmorProfile: AppArmorProfile

Capabilities:
  add: []string
  drop: []string

SELinuxOptions:
  user: string
  role: string
  type: string
  level: string

WindowsSecurityContextOptions:
  gmsaCredentialSpecName: string
  gmsaCredentialSpec: string
  runAsUserName: string
  hostProcess: boolean

SeccompProfile:
  type: string required enum=Localhost|RuntimeDefault|Unconfined
  localhostProfile: string

AppArmorProfile:
  type: string required enum=Localhost|RuntimeDefault|Unconfined
  localhostProfile: string

PodSecurityContext:
  seLinuxOptions: SELinuxOptions
  windowsOptions: WindowsSecurityContextOptions
  runAsUser: int64
  runAsGroup: int64
  runAsNonRoot: boolean
  supplementalGroups: []int64
  supplementalGroupsPolicy: string
  fsGroup: int64
  sysctls: []Sysctl
  fsGroupChangePolicy: string
  seccompProfile: SeccompProfile
  appArmorProfile: AppArmorProfile
  seLinuxChangePolicy: string

Sysctl:
  name: string required
  value: string required

Affinity:
  nodeAffinity: NodeAffinity
  podAffinity: PodAffinity
  podAntiAffinity: PodAntiAffinity

NodeAffinity:
  requiredDuringSchedulingIgnoredDuringExecution: NodeSelector
  preferredDuringSchedulingIgnoredDuringExecution: []PreferredSchedulingTerm

NodeSelector:
  nodeSelectorTerms: []NodeSelectorTerm required

NodeSelectorTerm:
  matchExpressions: []NodeSelectorRequirement
  matchFields: []NodeSelectorRequirement

NodeSelectorRequirement:
  key: string required
  operator: string required enum=DoesNotExist|Exists|Gt|In|Lt|NotIn
  values: []string

PreferredSchedulingTerm:
  weight: int32 required
  preference: NodeSelectorTerm required

PodAffinity:
  requiredDuringSchedulingIgnoredDuringExecution: []PodAffinityTerm
  preferredDuringSchedulingIgnoredDuringExecution: []WeightedPodAffinityTerm

PodAntiAffinity:
  requiredDuringSchedulingIgnoredDuringExecution: []PodAffinityTerm
  preferredDuringSchedulingIgnoredDuringExecution: []WeightedPodAffinityTerm

PodAffinityTerm:
  labelSelector: LabelSelector
  namespaces: []string
  topologyKey: string required
  namespaceSelector: LabelSelector
  matchLabelKeys: []string
  mismatchLabelKeys: []string

WeightedPodAffinityTerm:
  weight: int32 required
  podAffinityTerm: PodAffinityTerm required

Toleration:
  key: string
  operator: string enum=|Equal|Exists
  value: string
  effect: string enum=|NoExecute|NoSchedule|PreferNoSchedule
  tolerationSeconds: int64

HostAlias:
  ip: string required
  hostnames: []string

PodDNSConfig:
  nameservers: []string
  searches: []string
  options: []PodDNSConfigOption

PodDNSConfigOption:
  name: string
  value: string

PodReadinessGate:
  conditionType: string required

TopologySpreadConstraint:
  maxSkew: int32 required
  topologyKey: string required
  whenUnsatisfiable: string required enum=DoNotSchedule|ScheduleAnyway
  labelSelector: LabelSelector
  minDomains: int32
  nodeAffinityPolicy: string
  nodeTaintsPolicy: string
  matchLabelKeys: []string

PodOS:
  name: string required

PodSchedulingGate:
  name: string required

PodResourceClaim:
  name: string required
  resourceClaimName: string
  resourceClaimTemplateName: string

LocalObjectReference:
  name: string

PodStatus:
  phase: string
  conditions: []PodCondition merge=type
  message: string
  reason: string
  nominatedNodeName: string
  hostIP: string
  hostIPs: []HostIP merge=ip
  podIP: string
  podIPs: []PodIP merge=ip
  startTime: time
  initContainerStatuses: []ContainerStatus
  containerStatuses: []ContainerStatus
  qosClass: string
  ephemeralContainerStatuses: []ContainerStatus
  resize: string
  resourceClaimStatuses: []object merge=name

PodCondition:
  type: string
  status: string
  lastProbeTime: time
  lastTransitionTime: time
  reason: string
  message: string

HostIP:
  ip: string

PodIP:
  ip: string

ContainerStatus:
  name: string
  state: ContainerState
  lastState: ContainerState
  ready: boolean
  restartCount: int32
  image: string
  imageID: string
  containerID: string
  started: boolean
  allocatedResources: map[quantity]
  resources: ResourceRequirements
  volumeMounts: []object
  user: object
  allocatedResourcesStatus: []object

ContainerState:
  waiting: ContainerStateWaiting
  running: ContainerStateRunning
  terminated: ContainerStateTerminated

ContainerStateWaiting:
  reason: string
  message: string

ContainerStateRunning:
  startedAt: time

ContainerStateTerminated:
  exitCode: int32
  signal: int32
  reason: string
  message: string
  startedAt: time
  finishedAt: time
  containerID: string
)";

// ----------------------------------------------------------------------------- core/v1: volumes
constexpr std::string_view kVolumes = R"(
Volume:
  name: string required
  hostPath: HostPathVolumeSource
  emptyDir: EmptyDirVolumeSource
  secret: SecretVolumeSource
  configMap: ConfigMapVolumeSource
  persistentVolumeClaim: PersistentVolumeClaimVolumeSource
  downwardAPI: DownwardAPIVolumeSource
  projected: ProjectedVolumeSource
  nfs: NFSVolumeSource
  csi: CSIVolumeSource
  ephemeral: EphemeralVolumeSource
  image: ImageVolumeSource
  gcePersistentDisk: object
  awsElasticBlockStore: object
  gitRepo: object
  iscsi: object
  glusterfs: object
  rbd: object
  flexVolume: object
  cinder: object
  cephfs: object
  flocker: object
  fc: object
  azureFile: object
  vsphereVolume: object
  quobyte: object
  azureDisk: object
  photonPersistentDisk: object
  portworxVolume: object
  scaleIO: object
  storageos: object

HostPathVolumeSource:
  path: string required
  type: string enum=|BlockDevice|CharDevice|Directory|DirectoryOrCreate|File|FileOrCreate|Socket

EmptyDirVolumeSource:
  medium: string
  sizeLimit: quantity

SecretVolumeSource:
  secretName: string
  items: []KeyToPath
  defaultMode: int32
  optional: boolean

ConfigMapVolumeSource:
  name: string
  items: []KeyToPath
  defaultMode: int32
  optional: boolean

KeyToPath:
  key: string required
  path: string required
  mode: int32

PersistentVolumeClaimVolumeSource:
  claimName: string required
  readOnly: boolean

DownwardAPIVolumeSource:
  items: []DownwardAPIVolumeFile
  defaultMode: int32

DownwardAPIVolumeFile:
  path: string required
  fieldRef: ObjectFieldSelector
  resourceFieldRef: ResourceFieldSelector
  mode: int32

ProjectedVolumeSource:
  sources: []VolumeProjection
  defaultMode: int32

VolumeProjection:
  secret: SecretProjection
  downwardAPI: DownwardAPIProjection
  configMap: ConfigMapProjection
  serviceAccountToken: ServiceAccountTokenProjection
  clusterTrustBundle: ClusterTrustBundleProjection

SecretProjection:
  name: string
  items: []KeyToPath
  optional: boolean

ConfigMapProjection:
  name: string
  items: []KeyToPath
  optional: boolean

DownwardAPIProjection:
  items: []DownwardAPIVolumeFile

ServiceAccountTokenProjection:
  audience: string
  expirationSeconds: int64
  path: string required

ClusterTrustBundleProjection:
  name: string
  signerName: string
  labelSelector: LabelSelector
  optional: boolean
  path: string required

NFSVolumeSource:
  server: string required
  path: string required
  readOnly: boolean

CSIVolumeSource:
  driver: string required
  readOnly: boolean
  fsType: string
  volumeAttributes: map[string]
  nodePublishSecretRef: LocalObjectReference

EphemeralVolumeSource:
  volumeClaimTemplate: PersistentVolumeClaimTemplate

PersistentVolumeClaimTemplate:
  metadata: ObjectMeta
  spec: PersistentVolumeClaimSpec required

ImageVolumeSource:
  reference: string
  pullPolicy: string enum=Always|IfNotPresent|Never
)";

// ----------------------------------------------------------------------------- core/v1: others
constexpr std::string_view kCore = R"(
Namespace: kind=v1
  apiVersion: string
  kind: string
  metadata: ObjectMeta
  spec: NamespaceSpec
  status: NamespaceStatus

NamespaceSpec:
  finalizers: []string

NamespaceStatus:
  phase: string
  conditions: []NamespaceCondition merge=type

NamespaceCondition:
  type: string required
  status: string required
  lastTransitionTime: time
  reason: string
  message: string

Secret: kind=v1
  apiVersion: string
  kind: string
  metadata: ObjectMeta
  immutable: boolean
  data: map[bytes]
  stringData: map[string]
  type: string

ConfigMap: kind=v1
  apiVersion: string
  kind: string
  metadata: ObjectMeta
  immutable: boolean
  data: map[string]
  binaryData: map[bytes]

Service: kind=v1
  apiVersion: string
  kind: string
  metadata: ObjectMeta
  spec: ServiceSpec
  status: ServiceStatus

ServiceSpec:
  ports: []ServicePort merge=port
  selector: map[string]
  clusterIP: string
  clusterIPs: []string
  type: string enum=ClusterIP|ExternalName|LoadBalancer|NodePort go=v1.ServiceType
  externalIPs: []string
  sessionAffinity: string enum=ClientIP|None
  loadBalancerIP: string
  loadBalancerSourceRanges: []string
  externalName: string
  externalTrafficPolicy: string
  healthCheckNodePort: int32
  publishNotReadyAddresses: boolean
  sessionAffinityConfig: SessionAffinityConfig
  ipFamilies: []string
  ipFamilyPolicy: string
  allocateLoadBalancerNodePorts: boolean
  loadBalancerClass: string
  internalTrafficPolicy: string
  trafficDistribution: string

ServicePort:
  name: string
  protocol: string enum=SCTP|TCP|UDP go=v1.Protocol
  appProtocol: string
  port: int32 required
  targetPort: intstr
  nodePort: int32

SessionAffinityConfig:
  clientIP: ClientIPConfig

ClientIPConfig:
  timeoutSeconds: int32

ServiceStatus:
  loadBalancer: LoadBalancerStatus
  conditions: []Condition merge=type

LoadBalancerStatus:
  ingress: []LoadBalancerIngress

LoadBalancerIngress:
  ip: string
  hostname: string
  ipMode: string
  ports: []PortStatus

PortStatus:
  port: int32 required
  protocol: string required
  error: string

Event: kind=v1
  apiVersion: string
  kind: string
  metadata: ObjectMeta
  involvedObject: ObjectReference required
  reason: string
  message: string
  source: EventSource
  firstTimestamp: time
  lastTimestamp: time
  count: int32
  type: string
  eventTime: time
  series: EventSeries
  action: string
  related: ObjectReference
  reportingComponent: string
  reportingInstance: string

EventSource:
  component: string
  host: string

EventSeries:
  count: int32
  lastObservedTime: time

ObjectReference:
  kind: string
  namespace: string
  name: string
  uid: string
  apiVersion: string
  resourceVersion: string
  fieldPath: string

PersistentVolumeClaim: kind=v1
  apiVersion: string
  kind: string
  metadata: ObjectMeta
  spec: PersistentVolumeClaimSpec
  status: PersistentVolumeClaimStatus

PersistentVolumeClaimSpec:
  accessModes: []string enum=ReadOnlyMany|ReadWriteMany|ReadWriteOnce|ReadWriteOncePod go=v1.PersistentVolumeAccessMode
  selector: LabelSelector
  resources: VolumeResourceRequirements
  volumeName: string
  storageClassName: string
  volumeMode: string enum=Block|Filesystem
  dataSource: TypedLocalObjectReference
  dataSourceRef: TypedObjectReference
  volumeAttributesClassName: string

VolumeResourceRequirements:
  limits: map[quantity]
  requests: map[quantity]

TypedLocalObjectReference:
  apiGroup: string
  kind: string required
  name: string required

TypedObjectReference:
  apiGroup: string
  kind: string required
  name: string required
  namespace: string

PersistentVolumeClaimStatus:
  phase: string
  accessModes: []string
  capacity: map[quantity]
  conditions: []PersistentVolumeClaimCondition merge=type
  allocatedResources: map[quantity]
  allocatedResourceStatuses: map[string]
  currentVolumeAttributesClassName: string
  modifyVolumeStatus: object

PersistentVolumeClaimCondition:
  type: string required
  status: string required
  lastProbeTime: time
  lastTransitionTime: time
  reason: string
  message: string

ServiceAccount: kind=v1
  apiVersion: string
  kind: string
  metadata: ObjectMeta
  secrets: []ObjectReference merge=name
  imagePullSecrets: []LocalObjectReference
  automountServiceAccountToken: boolean
)";

// ----------------------------------------------------------------------------- apps/v1
constexpr std::string_view kApps = R"(
Deployment: kind=apps/v1
  apiVersion: string
  kind: string
  metadata: ObjectMeta
  spec: DeploymentSpec
  status: DeploymentStatus

DeploymentSpec:
  replicas: int32
  selector: LabelSelector required
  template: PodTemplateSpec required
  strategy: DeploymentStrategy retainKeys
  minReadySeconds: int32
  revisionHistoryLimit: int32
  paused: boolean
  progressDeadlineSeconds: int32

DeploymentStrategy:
  type: string enum=Recreate|RollingUpdate go=v1.DeploymentStrategyType
  rollingUpdate: RollingUpdateDeployment

RollingUpdateDeployment:
  maxUnavailable: intstr
  maxSurge: intstr

DeploymentStatus:
  observedGeneration: int64
  replicas: int32
  updatedReplicas: int32
  readyReplicas: int32
  availableReplicas: int32
  unavailableReplicas: int32
  terminatingReplicas: int32
  conditions: []DeploymentCondition merge=type
  collisionCount: int32

DeploymentCondition:
  type: string required
  status: string required
  lastUpdateTime: time
  lastTransitionTime: time
  reason: string
  message: string

ReplicaSet: kind=apps/v1
  apiVersion: string
  kind: string
  metadata: ObjectMeta
  spec: ReplicaSetSpec
  status: ReplicaSetStatus

ReplicaSetSpec:
  replicas: int32
  minReadySeconds: int32
  selector: LabelSelector required
  template: PodTemplateSpec

ReplicaSetStatus:
  replicas: int32
  fullyLabeledReplicas: int32
  readyReplicas: int32
  availableReplicas: int32
  observedGeneration: int64
  conditions: []ReplicaSetCondition merge=type

ReplicaSetCondition:
  type: string required
  status: string required
  lastTransitionTime: time
  reason: string
  message: string

StatefulSet: kind=apps/v1
  apiVersion: string
  kind: string
  metadata: ObjectMeta
  spec: StatefulSetSpec
  status: StatefulSetStatus

StatefulSetSpec:
  replicas: int32
  selector: LabelSelector required
  template: PodTemplateSpec required
  volumeClaimTemplates: []PersistentVolumeClaim
  serviceName: string
  podManagementPolicy: string enum=OrderedReady|Parallel
  updateStrategy: StatefulSetUpdateStrategy
  revisionHistoryLimit: int32
  minReadySeconds: int32
  persistentVolumeClaimRetentionPolicy: StatefulSetPersistentVolumeClaimRetentionPolicy
  ordinals: StatefulSetOrdinals

StatefulSetUpdateStrategy:
  type: string enum=OnDelete|RollingUpdate
  rollingUpdate: RollingUpdateStatefulSetStrategy

RollingUpdateStatefulSetStrategy:
  partition: int32
  maxUnavailable: intstr

StatefulSetPersistentVolumeClaimRetentionPolicy:
  whenDeleted: string enum=Delete|Retain
  whenScaled: string enum=Delete|Retain

StatefulSetOrdinals:
  start: int32

StatefulSetStatus:
  observedGeneration: int64
  replicas: int32
  readyReplicas: int32
  currentReplicas: int32
  updatedReplicas: int32
  currentRevision: string
  updateRevision: string
  collisionCount: int32
  conditions: []StatefulSetCondition merge=type
  availableReplicas: int32

StatefulSetCondition:
  type: string required
  status: string required
  lastTransitionTime: time
  reason: string
  message: string
)";

// ----------------------------------------------------------------------------- batch/v1
constexpr std::string_view kBatch = R"(
Job: kind=batch/v1
  apiVersion: string
  kind: string
  metadata: ObjectMeta
  spec: JobSpec
  status: JobStatus

JobSpec:
  parallelism: int32
  completions: int32
  activeDeadlineSeconds: int64
  podFailurePolicy: PodFailurePolicy
  successPolicy: SuccessPolicy
  backoffLimit: int32
  backoffLimitPerIndex: int32
  maxFailedIndexes: int32
  selector: LabelSelector
  manualSelector: boolean
  template: PodTemplateSpec required
  ttlSecondsAfterFinished: int32
  completionMode: string enum=NonIndexed|Indexed go=v1.CompletionMode
  suspend: boolean
  podReplacementPolicy: string enum=TerminatingOrFailed|Failed
  managedBy: string

PodFailurePolicy:
  rules: []PodFailurePolicyRule required

PodFailurePolicyRule:
  action: string required enum=Count|FailIndex|FailJob|Ignore
  onExitCodes: PodFailurePolicyOnExitCodesRequirement
  onPodConditions: []PodFailurePolicyOnPodConditionsPattern

PodFailurePolicyOnExitCodesRequirement:
  containerName: string
  operator: string required enum=In|NotIn
  values: []int32 required

PodFailurePolicyOnPodConditionsPattern:
  type: string required
  status: string

SuccessPolicy:
  rules: []SuccessPolicyRule required

SuccessPolicyRule:
  succeededIndexes: string
  succeededCount: int32

JobStatus:
  conditions: []JobCondition merge=type
  startTime: time
  completionTime: time
  active: int32
  succeeded: int32
  failed: int32
  terminating: int32
  completedIndexes: string
  failedIndexes: string
  uncountedTerminatedPods: UncountedTerminatedPods
  ready: int32

JobCondition:
  type: string required
  status: string required
  lastProbeTime: time
  lastTransitionTime: time
  reason: string
  message: string

UncountedTerminatedPods:
  succeeded: []string set
  failed: []string set
)";

// ----------------------------------------------------------------------------- coordination.k8s.io/v1
constexpr std::string_view kCoordination = R"(
Lease: kind=coordination.k8s.io/v1
  apiVersion: string
  kind: string
  metadata: ObjectMeta
  spec: LeaseSpec

LeaseSpec:
  holderIdentity: string
  leaseDurationSeconds: int32
  acquireTime: time
  renewTime: time
  leaseTransitions: int32
  strategy: string
  preferredHolder: string
)";

// ----------------------------------------------------------------------------- rbac.authorization.k8s.io/v1
constexpr std::string_view kRbac = R"(
Role: kind=rbac.authorization.k8s.io/v1
  apiVersion: string
  kind: string
  metadata: ObjectMeta
  rules: []PolicyRule

PolicyRule:
  verbs: []string
  apiGroups: []string
  resources: []string
  resourceNames: []string
  nonResourceURLs: []string

RoleBinding: kind=rbac.authorization.k8s.io/v1
  apiVersion: string
  kind: string
  metadata: ObjectMeta
  subjects: []Subject
  roleRef: RoleRef

Subject:
  kind: string
  apiGroup: string
  name: string
  namespace: string

RoleRef:
  apiGroup: string
  kind: string
  name: string
)";

// ----------------------------------------------------------------------------- apiextensions.k8s.io/v1
// openAPIV3Schema (JSONSchemaProps) is recursive: it is kept as it is (`object`) and checked by the
// registry when the CRD is installed.
constexpr std::string_view kApiExtensions = R"(
CustomResourceDefinition: kind=apiextensions.k8s.io/v1
  apiVersion: string
  kind: string
  metadata: ObjectMeta
  spec: CustomResourceDefinitionSpec required
  status: CustomResourceDefinitionStatus

CustomResourceDefinitionSpec:
  group: string required
  names: CustomResourceDefinitionNames required
  scope: string required enum=Cluster|Namespaced
  versions: []CustomResourceDefinitionVersion required
  conversion: object
  preserveUnknownFields: boolean

CustomResourceDefinitionNames:
  plural: string required
  singular: string
  shortNames: []string
  kind: string required
  listKind: string
  categories: []string

CustomResourceDefinitionVersion:
  name: string required
  served: boolean required
  storage: boolean required
  deprecated: boolean
  deprecationWarning: string
  schema: CustomResourceValidation
  subresources: CustomResourceSubresources
  additionalPrinterColumns: []CustomResourceColumnDefinition
  selectableFields: []SelectableField

CustomResourceValidation:
  openAPIV3Schema: object

CustomResourceSubresources:
  status: object
  scale: CustomResourceSubresourceScale

CustomResourceSubresourceScale:
  specReplicasPath: string required
  statusReplicasPath: string required
  labelSelectorPath: string

CustomResourceColumnDefinition:
  name: string required
  type: string required
  format: string
  description: string
  priority: int32
  jsonPath: string required

SelectableField:
  jsonPath: string required

CustomResourceDefinitionStatus:
  conditions: []CustomResourceDefinitionCondition
  acceptedNames: CustomResourceDefinitionNames
  storedVersions: []string

CustomResourceDefinitionCondition:
  type: string required
  status: string required
  lastTransitionTime: time
  reason: string
  message: string
)";

}  // namespace

std::string_view BuiltinSchemaText() {
  static const std::string text = std::string(kMeta) + std::string(kPods) + std::string(kVolumes) +
                                  std::string(kCore) + std::string(kApps) + std::string(kBatch) +
                                  std::string(kCoordination) + std::string(kRbac) + std::string(kApiExtensions);
  return text;
}

}  // namespace lifeboat::devcluster::internal
