"""Generate synthetic, valid COEs (format version 1) for benchmarks.

Each COE is written as ``OUT_DIR/<YYYY-MM-DD-slug>/coe.yaml`` and is 250 to 340 lines
(about 12 kB) long: 25 timeline entries, a branching why-tree of 10 to 20 nodes and
depth 3 to 5, 6 action items, communications, mitigations, dependencies, metrics and
several paragraphs of prose (about one COE in ten is written in Chinese). About one in
ten mixes UTC and local offsets inside its timeline. Output depends only on ``n`` and
``seed``.

The YAML is emitted by hand, without PyYAML: every string is a JSON string literal
(a valid YAML double-quoted scalar, so nothing is mis-typed), prose fields are literal
blocks (``|``), and there are no tabs, anchors or aliases.

Usage::

    python benchmarks/generate.py 1000 benchmarks/out/1000-seed1 [--seed 1]
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import textwrap
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

# --------------------------------------------------------------------------- pools

SERVICES = [
    "api-gateway", "auth-service", "identity-broker", "billing", "invoicing",
    "checkout", "cart", "catalog", "search", "recommendations", "payments",
    "fraud-detection", "order-router", "inventory", "shipping-quotes", "notifications",
    "email-relay", "sms-gateway", "dns-resolver", "load-balancer", "cdn-edge",
    "object-store", "block-storage", "metadata-db", "session-cache", "queue-broker",
    "stream-ingest", "event-bus", "scheduler", "batch-compute", "container-runtime",
    "instance-launch", "image-registry", "config-service", "feature-flags",
    "secrets-manager", "metrics-pipeline", "log-ingest", "tracing-collector",
    "web-frontend", "mobile-backend",
]
REGIONS = [
    "us-east-1", "us-east-2", "us-west-2", "eu-west-1", "eu-central-1",
    "ap-southeast-1", "ap-northeast-1", "ap-south-1", "cn-north-1", "sa-east-1",
]
PEOPLE = [
    "alice.chen", "bob.martin", "carol.nguyen", "dmitri.ivanov", "elena.garcia",
    "farah.khan", "george.okafor", "hana.sato", "ivan.petrov", "julia.rossi",
    "kwame.mensah", "li.wei", "maria.silva", "nikhil.rao", "olivia.brown",
    "pierre.dubois", "qing.zhang", "rahul.mehta", "sofia.lopez", "tomas.novak",
    "uma.iyer", "victor.hugo", "wang.fang", "xavier.bell", "yuki.tanaka", "zoe.adams",
]
TEAMS = [
    "platform", "storage", "networking", "identity", "payments-eng", "sre",
    "data-infra", "edge", "release-eng", "observability",
]
TAGS = [
    "deployment", "config-change", "capacity", "dns", "networking", "database",
    "cache", "throttling", "certificate", "latency", "availability", "data-loss-risk",
    "az-failure", "retry-storm", "dependency", "monitoring-gap", "rollback",
]

# (offset label, minutes east of UTC); "Z" is the most common, then local offsets.
OFFSETS = [
    ("Z", 0), ("Z", 0), ("Z", 0), ("Z", 0), ("+08:00", 480), ("+08:00", 480),
    ("-07:00", -420), ("-04:00", -240), ("+05:30", 330), ("+09:00", 540),
    ("+01:00", 60), ("+00:00", 0),
]

STATUSES = ["published"] * 15 + ["in-review"] * 3 + ["draft"] * 2
DETECTION_METHODS = [
    "service-alarm", "subsystem-alarm", "canary", "aggregate-alarm", "customer-report",
    "support-case", "social-media", "manual", "other",
]
CATEGORIES = [
    "deployment", "configuration", "capacity", "dependency", "software-bug", "hardware",
    "operator-action", "process", "detection-gap", "other",
]
CHANNELS = ["status-page", "health-dashboard", "email", "support-case", "social-media", "other"]
MITIGATION_KINDS = [
    "shift-away", "rollback", "scale-up", "restart", "roll-forward", "feature-flag", "other",
]
ACTION_STATUSES = ["open", "in-progress", "done", "wont-do"]
ACTION_KINDS = ["detect", "mitigate", "prevent", "process"]

# symptom: (title phrase, slug, metric name, metric unit)
SYMPTOMS = [
    ("Elevated 5xx errors", "elevated-5xx", "5xx rate", "%"),
    ("Increased latency", "high-latency", "p99 latency", "ms"),
    ("Request timeouts", "timeouts", "timeout rate", "%"),
    ("Partial outage", "partial-outage", "failed requests", "%"),
    ("Failed logins", "failed-logins", "login failure rate", "%"),
    ("Delayed message delivery", "delayed-delivery", "delivery delay", "s"),
    ("DNS resolution failures", "dns-failures", "NXDOMAIN rate", "%"),
    ("Throttling errors", "throttling", "throttled calls", "%"),
    ("Stale reads", "stale-reads", "replication lag", "s"),
    ("Instance launch failures", "launch-failures", "launch error rate", "%"),
]
TRIGGERS = [
    ("after a configuration push", "config-push"),
    ("after a deployment", "deploy"),
    ("during a traffic surge", "traffic-surge"),
    ("after a certificate rotation", "cert-rotation"),
    ("during an availability zone degradation", "az-degradation"),
    ("after a database failover", "db-failover"),
    ("during a retry storm", "retry-storm"),
    ("after a dependency change", "dependency-change"),
]
ZH_SYMPTOMS = ["5xx 错误率升高", "请求延迟升高", "请求超时", "部分服务不可用", "登录失败",
               "消息投递延迟", "DNS 解析失败", "限流错误增多", "读取到过期数据", "实例启动失败"]
ZH_TRIGGERS = ["配置推送后", "部署后", "流量突增期间", "证书轮换后", "可用区降级期间",
               "数据库故障切换后", "重试风暴导致", "依赖变更后"]

# ------------------------------------------------------------------------ prose

EN = {
    "summary": [
        "Between {start} and {mitigated} ({duration}), {pct}% of requests to {svc} in "
        "{region} failed or timed out. About {customers} customers were affected; most "
        "saw errors when calling the {op} API, and some retried until their own "
        "clients gave up.",
        "The impact began {trigger_desc}. Error rates rose within two minutes, and "
        "the {alarm} alarm fired at {detected}, {ttd} after the first failed request.",
        "Downstream services that depend on {svc}, including {dep}, reported elevated "
        "error rates for the same window. No data was lost; {queued} requests queued "
        "during the event were processed after recovery.",
        "Customer impact ended at {mitigated} once the change was rolled back and "
        "traffic shifted to healthy hosts. The underlying defect was fixed and deployed "
        "to every region by {resolved}.",
    ],
    "customer": [
        "Customers calling {op} received HTTP 500 and 503 responses; about {pct}% of "
        "calls failed at the peak. Console pages that list resources loaded slowly or "
        "showed an empty table with a generic error banner.",
        "Clients using the official SDKs retried automatically, which hid part of the "
        "impact but increased latency: p99 latency rose from {p99_before} ms to "
        "{p99_after} ms. Batch jobs that had no retry logic failed outright and had to "
        "be restarted by customers.",
        "Support received {cases} cases during the event. Several customers asked "
        "whether their data was at risk; it was not, but we did not say so on the status "
        "page until {late} minutes into the event.",
    ],
    "analysis": [
        "The {alarm} alarm fired {ttd} after impact began. It evaluates a five-minute "
        "average against a static threshold of {threshold}%, so a sharp rise is "
        "detected late and a slow rise may not be detected at all.",
        "Our internal availability metric did not reflect what customers saw: it counts "
        "requests that reached the service, and most failures happened at the load "
        "balancer before that point. The end-to-end canary would have caught it within "
        "one minute, but it only runs in two of our {nregions} regions.",
        "Had the per-host error-rate alarm been enabled, we would have detected the "
        "problem about {sooner} minutes sooner and the automatic rollback would have "
        "started without an engineer.",
    ],
    "narrative": [
        "### How the change was made\n\nThe change to {svc} was prepared two weeks "
        "before the event and reviewed by two engineers. It passed the integration tests "
        "in the pre-production stage, where traffic is about one percent of production "
        "and the failing code path is rarely used.",
        "The deployment pipeline released it to one availability zone first, as "
        "designed. The bake time of {bake} minutes elapsed without an alarm, because "
        "the error rate in a single zone stayed below the aggregate threshold.",
        "### What the responders saw\n\nThe first responder was paged at {detected} and "
        "joined the call {tte} later. The dashboards showed healthy hosts, so the first "
        "twenty minutes were spent looking at the {dep} dependency, which was itself "
        "reporting errors caused by our retries.",
        "The call leader asked whether there had been a deployment, and the release "
        "engineer confirmed one had finished {since} minutes earlier. The rollback "
        "started immediately and completed in {rollback} minutes.",
        "### What went well\n\n- The rollback pipeline worked as designed.\n- The "
        "support call and the tech call ran in parallel.\n- Customer communication "
        "was updated every thirty minutes.",
    ],
    "lessons": [
        "Always ask \"was there a deployment?\" in the first five minutes of a call.",
        "A per-zone alarm catches what an aggregate alarm averages away.",
        "Retries without jitter turn a partial failure into a full one.",
        "Status-page updates must be owned by a named person on the support call.",
        "Canaries should run in every region, not only in the largest ones.",
        "Dependencies must be checked for their promise before they are blamed.",
        "Keep a few unhealthy hosts aside for investigation before restarting the rest.",
    ],
    "problem": "{pct}% of {op} calls to {svc} failed for {duration}",
}
ZH = {
    "summary": [
        "在 {start} 至 {mitigated}（共 {duration}）期间，{region} 区域 {svc} 服务约 {pct}% "
        "的请求失败或超时，约 {customers} 位客户受到影响，主要表现为调用 {op} 接口时返回错误。",
        "影响始于{trigger_desc}。两分钟内错误率迅速上升，{alarm} 告警在 {detected} 触发，"
        "距第一个失败请求 {ttd}。",
        "依赖 {svc} 的下游服务（包括 {dep}）在同一时间段内错误率同样升高。没有数据丢失，"
        "事件期间排队的 {queued} 个请求在恢复后全部处理完毕。",
        "回滚变更并将流量切换到健康主机后，客户影响于 {mitigated} 结束。根本缺陷已于 "
        "{resolved} 前修复并部署到所有区域。",
    ],
    "customer": [
        "调用 {op} 的客户收到 HTTP 500 和 503 响应，高峰期约 {pct}% 的调用失败。"
        "控制台的资源列表页面加载缓慢，或显示空表格和通用错误提示。",
        "使用官方 SDK 的客户端会自动重试，这掩盖了一部分影响，但增加了延迟：p99 延迟从 "
        "{p99_before} 毫秒升至 {p99_after} 毫秒。没有重试逻辑的批处理作业直接失败，需要客户手动重启。",
        "事件期间支持团队共收到 {cases} 个工单。部分客户询问数据是否有风险；实际上没有，"
        "但直到事件开始 {late} 分钟后我们才在状态页面上说明这一点。",
    ],
    "analysis": [
        "{alarm} 告警在影响开始 {ttd}后才触发。它以五分钟平均值对比 {threshold}% 的静态阈值，"
        "因此急剧上升会被延迟发现，缓慢上升则可能完全无法发现。",
        "内部可用性指标没有反映客户的真实体验：它只统计到达服务的请求，而大多数失败发生在负载均衡器之前。"
        "端到端金丝雀本可以在一分钟内发现问题，但它只在 {nregions} 个区域中的两个运行。",
        "如果启用了按主机的错误率告警，我们可以提前约 {sooner} 分钟发现问题，并且无需工程师介入即可自动回滚。",
    ],
    "narrative": [
        "### 变更是如何进行的\n\n对 {svc} 的变更在事件前两周准备完成，并经过两名工程师评审。"
        "它通过了预生产环境的集成测试，但预生产流量只有生产的百分之一，出错的代码路径很少被触发。",
        "部署流水线按设计先发布到一个可用区。{bake} 分钟的观察期内没有告警，因为单个可用区的错误率低于聚合阈值。",
        "### 响应者看到了什么\n\n第一位响应者在 {detected} 被呼叫，{tte}后加入会议。仪表盘显示主机健康，"
        "因此前二十分钟都在排查 {dep} 依赖，而它的错误其实是由我们的重试引起的。",
        "会议负责人询问是否有部署，发布工程师确认 {since} 分钟前刚完成一次部署。回滚立即开始，{rollback} 分钟内完成。",
        "### 做得好的地方\n\n- 回滚流水线按设计工作。\n- 支持会议与技术会议并行进行。\n- 每三十分钟更新一次客户沟通。",
    ],
    "lessons": [
        "在会议的前五分钟内，总是先问“是否有部署？”。",
        "按可用区的告警能发现被聚合告警平均掉的问题。",
        "没有抖动的重试会把部分故障放大为全面故障。",
        "状态页面的更新必须由支持会议上的指定人员负责。",
        "金丝雀应在每个区域运行，而不只是最大的几个区域。",
        "在归咎于依赖之前，必须先核实它是否履行了承诺。",
        "重启之前，先保留几台异常主机用于调查。",
    ],
    "problem": "{svc} 的 {op} 调用失败率 {pct}%，持续 {duration}",
}

INNER_BECAUSE = [
    ("Why did requests fail?", "Hosts returned HTTP 500 after the new code path threw on a null field"),
    ("Why did the errors spread?", "Clients retried without jitter and tripled the load on {svc}"),
    ("Why did the hosts stay in service?", "Health checks only probed the TCP port, not the request path"),
    ("Why was the change not caught earlier?", "Pre-production traffic never exercised the failing path"),
    ("Why did impact last so long?", "No engineer was engaged for the first {n} minutes"),
    ("Why did the rollback take long?", "The rollback had to wait for an in-flight deployment to finish"),
    ("Why did the dependency slow down?", "{dep} throttled our calls once we exceeded the agreed rate"),
    ("Why did capacity run out?", "The fleet was sized for last year's peak, {n}% below this year's"),
    ("Why did the cache miss?", "The cache was flushed by the deployment and refilled from the database"),
    ("Why did the alarm fire late?", "The alarm used a five-minute average and a static threshold"),
    ("Why was the config invalid?", "The config validator accepted an empty list of endpoints"),
    ("Why did the failover not help?", "The standby shared the same misconfigured template"),
]
LEAF_BECAUSE = {
    "deployment": "The deployment released to a whole zone without a one-box stage",
    "configuration": "The service template set the health-check port to the admin port",
    "capacity": "Connection pools were capped at {n} per host, far below peak demand",
    "dependency": "{dep} changed its throttling limits without notice to its callers",
    "software-bug": "A parser change treated an absent field as an empty string",
    "hardware": "One availability zone's storage volumes degraded after a firmware fault",
    "operator-action": "A manual command ran against production instead of staging",
    "process": "The change checklist had no step for reviewing retry settings",
    "detection-gap": "No alarm watched the per-zone error rate, only the regional average",
    "other": "A clock skew of {n} seconds on a subset of hosts invalidated tokens",
}
ZH_INNER_BECAUSE = [
    ("为什么请求失败？", "新代码路径遇到空字段时抛出异常，主机返回 HTTP 500"),
    ("为什么错误会扩散？", "客户端在没有抖动的情况下重试，使 {svc} 的负载增加到三倍"),
    ("为什么主机没有被摘除？", "健康检查只探测 TCP 端口，没有检查请求路径"),
    ("为什么变更没有更早发现？", "预生产流量从未触发出错的代码路径"),
    ("为什么影响持续这么久？", "前 {n} 分钟没有工程师介入"),
    ("为什么回滚耗时较长？", "回滚必须等待正在进行的部署完成"),
    ("为什么依赖变慢？", "我们超过约定速率后 {dep} 开始限流"),
    ("为什么容量不足？", "集群按去年峰值规划，比今年峰值低 {n}%"),
    ("为什么缓存未命中？", "部署清空了缓存，只能从数据库重新加载"),
    ("为什么告警延迟？", "告警使用五分钟平均值和静态阈值"),
]
ZH_LEAF_BECAUSE = {
    "deployment": "部署直接发布到整个可用区，没有单机阶段",
    "configuration": "服务模板把健康检查端口设成了管理端口",
    "capacity": "每台主机的连接池上限为 {n}，远低于峰值需求",
    "dependency": "{dep} 修改了限流阈值但没有通知调用方",
    "software-bug": "解析器的改动把缺失字段当作空字符串处理",
    "hardware": "固件故障导致一个可用区的存储卷性能下降",
    "operator-action": "一条手工命令在生产环境而不是测试环境执行",
    "process": "变更检查清单中没有评审重试设置的步骤",
    "detection-gap": "没有告警监控单个可用区的错误率，只有区域平均值",
    "other": "部分主机时钟偏差 {n} 秒导致令牌失效",
}
EVIDENCE = [
    "{pct}% 5xx from {a} to {b}",
    "p99 latency {ms} ms against a baseline of 80 ms",
    "{n} hosts out of 240 failed health checks on the request path",
    "Deployment log shows the release finished {n} minutes before impact",
    "Retry rate rose from 2% to {n}% within five minutes",
]
ZH_EVIDENCE = [
    "{a} 至 {b} 期间 5xx 错误率 {pct}%",
    "p99 延迟 {ms} 毫秒，基线为 80 毫秒",
    "240 台主机中有 {n} 台请求路径健康检查失败",
    "部署日志显示发布在影响开始前 {n} 分钟完成",
    "五分钟内重试率从 2% 升至 {n}%",
]
ACTION_TITLES = {
    "detect": ["Add a per-zone error-rate alarm for {svc}", "Run the end-to-end canary in every region",
               "Alarm on p99 latency as well as the average"],
    "mitigate": ["Automate rollback when the one-box alarm fires", "Add a runbook step to shift away from a failing zone",
                 "Make the dependency call degrade to cached results"],
    "prevent": ["Validate endpoint lists in the config validator", "Add jitter and a retry budget to {svc} clients",
                "Fix the health-check port in the service template"],
    "process": ["Add retry settings to the change review checklist", "Name a status-page owner on every support call",
                "Review the capacity plan for {svc} every quarter"],
}
TIMELINE_EVENTS = {
    "other": ["Deployment {build} of {svc} starts in the first availability zone",
              "Deployment {build} of {svc} completes in {region}"],
    "followup": ["Fix for the root cause merged and queued for deployment",
                 "Fix deployed to all regions", "Post-incident review scheduled"],
    "impact": ["Error rate for `{op}` rises above 1%", "p99 latency for {svc} exceeds 2 seconds",
               "{dep} begins to report elevated errors"],
    "detection": ["Alarm `{alarm}` enters ALARM state", "Canary in {region} fails three consecutive runs"],
    "engagement": ["On-call engineer for {svc} acknowledges the page", "Tech call starts; call leader assigned"],
    "escalation": ["Incident escalated to severity {sev}", "{dep} on-call paged to join the call",
                   "Incident response team engaged for a multi-service event"],
    "investigation": ["Responders rule out the {dep} dependency", "Host logs show `NullPointerException` in the request handler",
                      "Responders correlate errors with deployment {build}", "Traffic graphs show retries tripling the load"],
    "mitigation": ["Rollback of deployment {build} starts", "Traffic shifted away from the degraded zone",
                   "Fleet for {svc} scaled up by 50%", "Feature flag for the new code path turned off"],
    "communication": ["Status page updated: investigating elevated errors", "Support posts an update on the health dashboard",
                      "Proactive email sent to affected customers"],
    "recovery": ["Error rate back below baseline", "Queued requests drained", "All hosts healthy; monitoring continues"],
}
ZH_TIMELINE_EVENTS = {
    "other": ["{svc} 的部署 {build} 在第一个可用区开始", "{svc} 的部署 {build} 在 {region} 完成"],
    "followup": ["根因修复已合并，等待部署", "修复已部署到所有区域", "已安排事后复盘会议"],
    "impact": ["`{op}` 错误率超过 1%", "{svc} 的 p99 延迟超过 2 秒", "{dep} 开始报告错误升高"],
    "detection": ["告警 `{alarm}` 进入 ALARM 状态", "{region} 的金丝雀连续三次失败"],
    "engagement": ["{svc} 值班工程师确认告警", "技术会议开始，指定会议负责人"],
    "escalation": ["事件升级为 {sev} 级", "呼叫 {dep} 值班人员加入会议", "多服务事件，事件响应团队介入"],
    "investigation": ["排除 {dep} 依赖的问题", "主机日志显示请求处理器中出现 `NullPointerException`",
                      "错误与部署 {build} 的时间吻合", "流量图显示重试使负载增加到三倍"],
    "mitigation": ["开始回滚部署 {build}", "流量切离降级的可用区", "{svc} 集群扩容 50%", "关闭新代码路径的功能开关"],
    "communication": ["状态页面更新：正在调查错误升高", "支持团队在健康仪表盘发布更新", "向受影响客户主动发送邮件"],
    "recovery": ["错误率回落到基线以下", "积压请求处理完毕", "所有主机恢复健康，继续监控"],
}
OPS = ["CreateOrder", "GetItem", "PutObject", "ListResources", "Authenticate", "SendMessage",
       "RunInstances", "Query", "DescribeStatus", "Publish"]


# ------------------------------------------------------------------ YAML writing

class Block(str):
    """A string to emit as a literal block scalar (``|``)."""


class FlowMap(dict):
    """A small mapping of scalars to emit on one line."""


class Flow(list):
    """A short list of scalars to emit on one line, as a JSON array."""


def flow_map(mapping: dict) -> str:
    """Render a mapping of scalars on one line: ``{name: "5xx rate", value: 3}``."""
    return "{" + ", ".join(f"{key}: {scalar(value)}" for key, value in mapping.items()) + "}"


def scalar(value: object) -> str:
    """Render a scalar so that YAML reads back exactly this value and type."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        text = f"{value:.2f}".rstrip("0")
        return text + "0" if text.endswith(".") else text
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    raise TypeError(f"cannot emit {type(value).__name__}")


def emit(value: object, indent: int = 0) -> list[str]:
    """Return the lines of ``value`` (a mapping or a list) in YAML block style."""
    pad = " " * indent
    lines: list[str] = []
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(item, Block):
                lines.append(f"{pad}{key}: |")
                for text in item.rstrip("\n").split("\n"):
                    lines.append(f"{pad}  {text}" if text else "")
            elif isinstance(item, Flow):
                lines.append(f"{pad}{key}: [{', '.join(scalar(v) for v in item)}]")
            elif isinstance(item, (dict, list)):
                lines.append(f"{pad}{key}:")
                lines.extend(emit(item, indent + 2))
            else:
                lines.append(f"{pad}{key}: {scalar(item)}")
    elif isinstance(value, list):
        for item in value:
            if isinstance(item, FlowMap):
                lines.append(f"{pad}- {flow_map(item)}")
            elif isinstance(item, dict):
                sub = emit(item, indent + 2)
                sub[0] = f"{pad}- {sub[0][indent + 2:]}"
                lines.extend(sub)
            else:
                lines.append(f"{pad}- {scalar(item)}")
    else:
        raise TypeError(f"cannot emit {type(value).__name__} at the top of a block")
    return lines


# ------------------------------------------------------------------- generation

def fmt_time(moment: datetime, label: str, minutes: int) -> str:
    """Format an aware datetime in the given offset, e.g. 2024-05-01T14:48:00+08:00."""
    local = moment.astimezone(timezone(timedelta(minutes=minutes)))
    return local.strftime("%Y-%m-%dT%H:%M:%S") + label


def fmt_duration(delta: timedelta, zh: bool) -> str:
    """Format a duration as '2 hours 5 minutes' (or Chinese)."""
    minutes = int(delta.total_seconds() // 60)
    hours, mins = divmod(minutes, 60)
    if zh:
        return (f"{hours} 小时 " if hours else "") + f"{mins} 分钟"
    parts = []
    if hours:
        parts.append(f"{hours} hour{'s' if hours > 1 else ''}")
    if mins or not hours:
        parts.append(f"{mins} minute{'s' if mins != 1 else ''}")
    return " ".join(parts)


def wrap(line: str) -> str:
    """Wrap a prose line at 100 characters; leave headings, list items and blanks alone."""
    if not line or line.startswith(("#", "- ")):
        return line
    return "\n".join(textwrap.wrap(line, 100, break_on_hyphens=False))


def paragraphs(rng: random.Random, pool: list[str], count: int, values: dict, zh: bool) -> Block:
    """Pick ``count`` templates in order, fill them in and wrap English text at 100."""
    chosen = sorted(rng.sample(range(len(pool)), count))
    parts = []
    for index in chosen:
        text = pool[index].format(**values)
        if not zh:  # Chinese paragraphs stay on one line: a line break would show as a space
            text = "\n".join(wrap(line) for line in text.split("\n"))
        parts.append(text)
    return Block("\n\n".join(parts) + "\n")


def build_tree(rng: random.Random, values: dict, zh: bool) -> tuple[dict, list[str], list[str]]:
    """Build a why-tree of 10-20 nodes and depth 3-5; return it, all ids and leaf ids."""
    size = round(rng.triangular(10, 20, 10))
    depth = rng.randint(3, 5)
    roots = rng.randint(2, 3)
    # nodes as [parent index or None, depth]; a chain from root 0 reaches the full depth
    nodes: list[list] = [[None, 1] for _ in range(roots)]
    parent = 0
    for level in range(2, depth + 1):
        nodes.append([parent, level])
        parent = len(nodes) - 1
    while len(nodes) < size:
        candidates = [i for i, (_, d) in enumerate(nodes) if d < depth]
        if len(nodes) == roots + depth - 1:
            # the first extra node forks the chain, so the tree branches below the top
            candidates = [0] + list(range(roots, len(nodes) - 1))
        # favour shallow nodes a little, so the tree branches rather than chains
        weights = [depth + 1 - nodes[i][1] for i in candidates]
        pick = rng.choices(candidates, weights)[0]
        nodes.append([pick, nodes[pick][1] + 1])
    children: dict[int | None, list[int]] = {}
    for index, (par, _) in enumerate(nodes):
        children.setdefault(par, []).append(index)

    inner_pool = ZH_INNER_BECAUSE if zh else INNER_BECAUSE
    leaf_pool = ZH_LEAF_BECAUSE if zh else LEAF_BECAUSE
    ids: list[str] = []
    leaves: list[str] = []

    def make(index: int, node_id: str) -> dict:
        ids.append(node_id)
        local = dict(values, n=rng.randint(3, 60), ms=rng.randint(400, 9000))
        kids = children.get(index, [])
        node: dict = {"id": node_id}
        if kids:
            question, because = rng.choice(inner_pool)
            if rng.random() < 0.4:
                node["why"] = question
            node["because"] = because.format(**local)
        else:
            category = rng.choice(CATEGORIES)
            node["because"] = leaf_pool[category].format(**local)
        if rng.random() < 0.25:
            node["evidence"] = rng.choice(ZH_EVIDENCE if zh else EVIDENCE).format(**local)
        if kids:
            node["causes"] = [make(kid, f"{node_id}.{k + 1}") for k, kid in enumerate(kids)]
        else:
            leaves.append(node_id)
            node["root_cause"] = True
            node["category"] = category
        return node

    causes = [make(root, f"W{k + 1}") for k, root in enumerate(children[None])]
    tree = {"problem": (ZH if zh else EN)["problem"].format(**values), "causes": causes}
    return tree, ids, leaves


def make_coe(rng: random.Random, number: int) -> tuple[str, dict]:
    """Return (folder name, COE mapping) for COE number ``number``."""
    zh = rng.random() < 0.1
    prose = ZH if zh else EN
    status = rng.choice(STATUSES)
    published = status == "published"
    severity = rng.choices([1, 2, 3, 4, 5], [1, 3, 5, 4, 2])[0]
    svc, dep, *others = rng.sample(SERVICES, 6)
    services = [svc] + others[: rng.randint(0, 3)]
    scope = "multi-service" if len(services) > 2 else rng.choice(["single-service", "multi-service"])
    region = rng.choice(REGIONS)
    regions = [region] + [r for r in rng.sample(REGIONS, 2) if r != region][: rng.randint(0, 1)]
    label, minutes = rng.choice(OFFSETS)
    op = rng.choice(OPS)

    # key moments, as aware datetimes
    day = date(2024, 6, 1) + timedelta(days=rng.randrange(730))
    start = datetime(day.year, day.month, day.day, tzinfo=timezone.utc) + timedelta(
        minutes=rng.randrange(24 * 60))
    detected = start + timedelta(minutes=rng.randint(1, 25), seconds=rng.choice([0, 0, 17, 42]))
    engaged = detected + timedelta(minutes=rng.randint(1, 20))
    mitigated = engaged + timedelta(minutes=rng.randint(15, 240))
    resolved = mitigated + timedelta(minutes=rng.randint(30, 3 * 24 * 60))

    def t(moment: datetime) -> str:
        return fmt_time(moment, label, minutes)

    symptom_i = rng.randrange(len(SYMPTOMS))
    trigger_i = rng.randrange(len(TRIGGERS))
    symptom, symptom_slug, metric_name, metric_unit = SYMPTOMS[symptom_i]
    trigger, trigger_slug = TRIGGERS[trigger_i]
    if zh:
        title = f"{region} 区域 {svc} {ZH_TRIGGERS[trigger_i]}{ZH_SYMPTOMS[symptom_i]}"
    else:
        title = f"{symptom} from {svc} in {region} {trigger}"
    slug = f"{svc}-{symptom_slug}-{trigger_slug}"
    folder = f"{t(start)[:10]}-{slug}"
    alarm = f"{svc}-{rng.choice(['5xx-rate', 'p99-latency', 'availability', 'canary', 'error-budget'])}"
    pct = rng.choice([1, 2, 3, 5, 8, 12, 20, 35])

    values = {
        "svc": svc, "dep": dep, "region": region, "op": op, "alarm": alarm, "pct": pct,
        "start": t(start), "detected": t(detected), "mitigated": t(mitigated), "resolved": t(resolved),
        "duration": fmt_duration(mitigated - start, zh), "ttd": fmt_duration(detected - start, zh),
        "tte": fmt_duration(engaged - detected, zh),
        "customers": f"{rng.randint(20, 90000):,}", "queued": f"{rng.randint(100, 500000):,}",
        "trigger_desc": ZH_TRIGGERS[trigger_i] if zh else trigger,
        "a": t(start)[11:16], "b": t(mitigated)[11:16],
        "p99_before": rng.randint(40, 120), "p99_after": rng.randint(900, 9000),
        "cases": rng.randint(3, 400), "late": rng.randint(10, 60), "threshold": rng.choice([1, 2, 5]),
        "nregions": len(REGIONS), "sooner": rng.randint(3, 20), "bake": rng.choice([15, 30, 60]),
        "since": rng.randint(5, 40), "rollback": rng.randint(4, 25),
        "build": f"#{rng.randint(1000, 9999)}", "sev": severity,
    }

    # timeline: 25 entries, in time order, each kind in its phase of the incident
    before = start - timedelta(minutes=rng.randint(20, 90))
    phases = [  # (from, to, kinds)
        (before, start, ["other"]),
        (start, detected, ["impact"]),
        (detected, engaged, ["detection", "communication"]),
        (engaged, mitigated, ["escalation", "investigation", "communication", "mitigation", "impact"]),
        (mitigated, resolved, ["recovery", "communication", "followup"]),
    ]
    anchors = [(before, "other"), (start, "impact"), (detected, "detection"),
               (engaged, "engagement"), (mitigated, "recovery")]
    moments = list(anchors)
    weights = [1, 1, 1, 5, 2]
    while len(moments) < 25:
        low, high, kinds = rng.choices(phases, weights)[0]
        span = int((high - low).total_seconds() // 60)
        moments.append((low + timedelta(minutes=rng.randint(0, span)), rng.choice(kinds)))
    moments.sort(key=lambda pair: pair[0])
    # about one COE in ten mixes offsets inside its timeline (UTC logs next to local chat
    # notes), so that the order of the strings is not the order of the instants
    mixed = label not in ("Z", "+00:00") and rng.random() < 0.2
    events = ZH_TIMELINE_EVENTS if zh else TIMELINE_EVENTS
    timeline = []
    for moment, kind in moments:
        at = fmt_time(moment, "Z", 0) if mixed and rng.random() < 0.4 else t(moment)
        text = rng.choice(events[kind]).format(**values)
        kind = "other" if kind == "followup" else kind
        entry: dict = {"at": at, "event": text, "kind": kind}
        if kind in ("other", "mitigation", "detection") and rng.random() < 0.4:
            host = "dashboards" if kind == "detection" else "deploy"
            entry["link"] = f"https://{host}.example.com/{svc}/{rng.randint(10000, 99999)}"
        timeline.append(entry)

    communications = []
    moment = detected + timedelta(minutes=rng.randint(5, 20))
    for k in range(rng.randint(2, 3)):
        if moment > resolved:
            break
        communications.append({
            "at": t(moment), "channel": rng.choice(CHANNELS),
            "audience": rng.choice(["all customers in " + region, "affected accounts", "enterprise customers"]),
            "message": (f"我们正在调查 {region} 区域 {svc} 的错误率升高问题。" if zh and k == 0 else
                        f"{svc} 已恢复正常，我们将继续监控。" if zh else
                        f"We are investigating increased error rates for {svc} in {region}." if k == 0 else
                        f"Update {k}: mitigation is in progress; error rates for {op} are recovering."),
        })
        moment += timedelta(minutes=rng.randint(20, 45))

    mitigations = []
    for kind in rng.sample(MITIGATION_KINDS, rng.randint(2, 3)):
        mitigation: dict = {"kind": kind}
        if rng.random() < 0.8:
            mitigation["at"] = t(engaged + (mitigated - engaged) * rng.random())
        mitigation["description"] = (f"{kind}：针对 {svc} 执行缓解措施" if zh else
                                     f"Applied {kind.replace('-', ' ')} to {svc} in {region}")
        mitigation["effective"] = rng.random() < 0.7
        mitigations.append(mitigation)

    dependencies = []
    for name in [dep] + rng.sample([s for s in SERVICES if s not in (svc, dep)], rng.randint(0, 1)):
        dependencies.append({
            "name": name,
            "promise": f"{rng.choice(['99.9', '99.95', '99.99'])}% availability, RTO 15 minutes",
            "observed": rng.choice(["Kept its promise; errors were caused by our retries",
                                    f"Throttled {rng.randint(2, 30)}% of calls for 12 minutes",
                                    "Available throughout; latency rose to 800 ms at p99"]),
            "failure_mode_expected": rng.random() < 0.5,
            "blast_radius": Block(
                f"Serve cached results from {name} for up to five minutes when it is\n"
                "slow, and shed non-critical calls before critical ones.\n"),
        })

    metrics = [  # one line each, as in the format page's own example
        {"name": metric_name, "value": float(pct) if metric_unit == "%" else rng.randint(2, 9000), "unit": metric_unit},
        {"name": "failed requests", "value": rng.randint(1000, 9_000_000)},
        {"name": "impact duration", "value": round((mitigated - start).total_seconds() / 60, 1), "unit": "min"},
    ]

    whys, node_ids, leaves = build_tree(rng, values, zh)

    action_items = []
    statuses = ACTION_STATUSES + rng.sample(ACTION_STATUSES, 2)
    kinds = ACTION_KINDS + rng.sample(ACTION_KINDS, 2)
    rng.shuffle(statuses)
    rng.shuffle(kinds)
    for k, (a_status, a_kind) in enumerate(zip(statuses, kinds), start=1):
        due = resolved.date() + timedelta(days=rng.randint(14, 120))
        item: dict = {
            "id": f"AI-{k}",
            "title": rng.choice(ACTION_TITLES[a_kind]).format(**values),
            "owner": rng.choice(PEOPLE),
            "priority": rng.choice(["high", "medium", "low"]),
            "due": due.isoformat(),
            "status": a_status,
        }
        if rng.random() < 0.3:
            item["team"] = rng.choice(TEAMS)
        if a_status in ("done", "wont-do"):
            item["closed"] = (resolved.date() + timedelta(days=rng.randint(1, 90))).isoformat()
        item["kind"] = a_kind
        item["addresses"] = Flow(sorted(set(rng.sample(leaves, 1) + rng.sample(node_ids, rng.randint(0, 1)))))
        item["link"] = f"https://tickets.example.com/browse/REL-{rng.randint(1000, 99999)}"
        action_items.append(item)

    authors = rng.sample(PEOPLE, rng.randint(1, 3))
    coe: dict = {
        "schema_version": 1,
        "id": f"COE-{number}",
        "title": title,
        "status": status,
        "severity": severity,
        "scope": scope,
        "authors": Flow(authors),
    }
    if published or rng.random() < 0.6:
        coe["reviewers"] = Flow(rng.sample([p for p in PEOPLE if p not in authors], rng.randint(1, 3)))
    coe["services"] = Flow(services)
    coe["regions"] = Flow(regions)
    coe["tags"] = Flow(rng.sample(TAGS, rng.randint(1, 4)))
    coe["summary"] = paragraphs(rng, prose["summary"], rng.randint(2, 3), values, zh)
    times = {"start": t(start), "detected": t(detected), "engaged": t(engaged)}
    if published or rng.random() < 0.8:
        times["mitigated"] = t(mitigated)
        times["resolved"] = t(resolved)
    coe["times"] = times
    detection: dict = {"method": rng.choice(DETECTION_METHODS), "alarm": alarm}
    if published or rng.random() < 0.7:
        detection["analysis"] = paragraphs(rng, prose["analysis"], 2, values, zh)
    coe["detection"] = detection
    coe["impact"] = {
        "customer_experience": paragraphs(rng, prose["customer"], 2, values, zh),
        "customers_affected": int(values["customers"].replace(",", "")),
        "metrics": [FlowMap(metric) for metric in metrics],
    }
    coe["timeline"] = timeline
    coe["communications"] = communications
    coe["mitigations"] = mitigations
    coe["dependencies"] = dependencies
    coe["whys"] = whys
    coe["lessons"] = rng.sample(prose["lessons"], rng.randint(2, 4))
    coe["action_items"] = action_items
    coe["checklist"] = {
        key: published or rng.random() < 0.6
        for key in ("short_term_fixes_verified", "data_preserved", "followups_assigned", "shared_understanding")
    }
    coe["narrative"] = paragraphs(rng, prose["narrative"], rng.randint(2, 3), values, zh)
    return folder, coe


def render(coe: dict) -> str:
    """Return the YAML text of one COE."""
    return "\n".join(emit(coe)) + "\n"


def generate(n: int, out_dir: Path, seed: int = 1) -> list[Path]:
    """Write ``n`` valid COEs under ``out_dir``; return the paths of their coe.yaml files."""
    rng = random.Random(seed)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    used: set[str] = set()
    paths = []
    for number in range(1, n + 1):
        folder, coe = make_coe(rng, number)
        base, suffix = folder, 2
        while folder in used:
            folder = f"{base}-{suffix}"
            suffix += 1
        used.add(folder)
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}-[a-z0-9-]+", folder), folder
        assert len(coe["title"]) <= 120 and "\n" not in coe["title"], coe["title"]
        path = out_dir / folder / "coe.yaml"
        path.parent.mkdir(exist_ok=True)
        path.write_text(render(coe), encoding="utf-8", newline="\n")
        paths.append(path)
    return paths


def main(argv: list[str] | None = None) -> int:
    """Command line: ``generate.py N OUT_DIR [--seed S]``."""
    parser = argparse.ArgumentParser(description="Write N synthetic, valid COEs into OUT_DIR.")
    parser.add_argument("n", type=int, help="number of COEs")
    parser.add_argument("out_dir", type=Path, help="folder to write <YYYY-MM-DD-slug>/coe.yaml into")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    args = parser.parse_args(argv)
    paths = generate(args.n, args.out_dir, args.seed)
    print(f"wrote {len(paths)} COEs to {args.out_dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
