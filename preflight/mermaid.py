"""A Mermaid flowchart of each service's delivery path, read from the resource graph.

Nothing here is hand-drawn: the stages come from each CodePipeline's declaration, the scan
gate's threshold from the build project it runs, the target from the resource the deploy
action names. The same function draws a preflight plan and a real `pulumi stack export`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

PIPELINE = "aws:codepipeline/pipeline:Pipeline"
PROJECT = "aws:codebuild/project:Project"
ECS_SERVICE = "aws:ecs/service:Service"
CONNECTION = "aws:codeconnections/connection:Connection"

State = Mapping[str, Any]


def _name(state: State) -> str:
    return str(state["urn"]).rsplit("::", 1)[-1]


def _node_id(*parts: str) -> str:
    return "_".join(re.sub(r"[^A-Za-z0-9]", "_", p) for p in parts)


def _label(*lines: str) -> str:
    text = "<br/>".join(line.replace('"', "'") for line in lines if line)
    return f'"{text}"'


def _variables(project: State | None) -> dict[str, str]:
    if project is None:
        return {}
    env = (project.get("inputs") or {}).get("environment") or {}
    return {v["name"]: str(v.get("value", "")) for v in env.get("environmentVariables") or []}


def _source_lines(action: State, connections: Sequence[State]) -> list[str]:
    config = action.get("configuration") or {}
    if action.get("provider") == "CodeCommit":
        return ["Source", f"CodeCommit {config.get('RepositoryName', '?')} @ {config.get('BranchName', '?')}"]
    provider = next(
        (
            str((c.get("inputs") or {}).get("providerType", "git"))
            for c in connections
            if (c.get("outputs") or {}).get("arn") == config.get("ConnectionArn")
        ),
        "connection",
    )
    return ["Source", f"{provider} {config.get('FullRepositoryId', '?')} @ {config.get('BranchName', '?')}"]


def _service_name(pipeline: State) -> str:
    name = _name(pipeline)
    return name[: -len("-pipeline")] if name.endswith("-pipeline") else name


def render(resources: Sequence[State], title: str = "") -> str:
    """One flowchart with a subgraph per pipeline; empty when the graph has no pipeline."""
    by_type: dict[str, list[State]] = {}
    for state in resources:
        by_type.setdefault(str(state["type"]), []).append(state)
    projects = {(p.get("outputs") or {}).get("name"): p for p in by_type.get(PROJECT, [])}
    services = {(s.get("outputs") or {}).get("name"): s for s in by_type.get(ECS_SERVICE, [])}
    connections = by_type.get(CONNECTION, [])

    lines = ["flowchart LR"]
    if title:
        lines.insert(0, f"---\ntitle: {title}\n---")
    for pipeline in sorted(by_type.get(PIPELINE, []), key=_name):
        service = _service_name(pipeline)
        lines.append(f'  subgraph {_node_id(service)}["{service}"]')
        lines.append("    direction LR")
        previous: str | None = None
        for stage in (pipeline.get("inputs") or {}).get("stages") or []:
            for action in stage.get("actions") or []:
                node = _node_id(service, str(action.get("name", stage["name"])))
                shape, after = _action_node(action, node, projects, services, connections)
                lines.append(f"    {shape}")
                if previous:
                    lines.append(f"    {previous} --> {node.split('[')[0]}")
                previous = after
                lines.extend(f"    {extra}" for extra in _extras(action, node, services, projects))
            if bake := _bake_lines(stage):
                gate = _node_id(service, f"{stage['name']}_bake")
                lines.append(f"    {gate}{{{{{_label(*bake)}}}}}")
                if previous:
                    lines.append(f"    {previous} --> {gate}")
                previous = gate
        lines.append("  end")
    return "\n".join(lines) + "\n"


def _action_node(
    action: State,
    node: str,
    projects: Mapping[Any, State],
    services: Mapping[Any, State],
    connections: Sequence[State],
) -> tuple[str, str]:
    """The node's Mermaid declaration, and the node the next stage connects from."""
    category, provider = action.get("category"), action.get("provider")
    config = action.get("configuration") or {}
    if category == "Source":
        return f"{node}[{_label(*_source_lines(action, connections))}]", node
    if category == "Approval":
        return f"{node}{{{{{_label('Manual approval')}}}}}", node
    if category == "Deploy" and provider == "ECS":
        inputs = (services.get(config.get("ServiceName")) or {}).get("inputs") or {}
        count = inputs.get("desiredCount", "?")
        alarms = len((inputs.get("alarms") or {}).get("alarmNames") or [])
        rollback = f"rolls back on {alarms} alarms or circuit breaker" if alarms else "circuit breaker rollback"
        return f"{node}[{_label('Deploy', f'ECS {_strategy(inputs)}, {count} tasks', rollback)}]", node
    project = projects.get(config.get("ProjectName"))
    variables = _variables(project)
    if "SCAN_THRESHOLD" in variables:
        gate = f"{node}_gate"
        build = _label("Build and test", f"target {variables.get('TEST_TARGET', '?')}, push to ECR")
        scan = _label("Scan gate", f"fails on {variables['SCAN_THRESHOLD']} or above")
        return f"{node}[{build}] --> {gate}{{{scan}}}", gate
    if "DEPLOYMENT" in variables:
        lines = (
            "Deploy",
            "kubectl set image",
            f"rollout status {variables.get('ROLLOUT_TIMEOUT', '')}, undo on failure",
        )
        return f"{node}[{_label(*lines)}]", node
    if "IMAGE_PARAMETER" in variables:
        return f"{node}[{_label('Record', 'deployed digest in SSM', variables['IMAGE_PARAMETER'])}]", node
    return f"{node}[{_label(str(action.get('name', category)), str(provider or ''))}]", node


def _strategy(service: State) -> str:
    """The service's deployment strategy in words: `canary 10% for 5 min, bake 10 min`."""
    config = service.get("deploymentConfiguration") or {}
    strategy = config.get("strategy", "ROLLING")
    if strategy == "CANARY":
        canary = config.get("canaryConfiguration") or {}
        shift = f"canary {float(canary.get('canaryPercent', 0)):g}% for {canary.get('canaryBakeTimeInMinutes')} min"
    elif strategy == "LINEAR":
        linear = config.get("linearConfiguration") or {}
        shift = f"linear {float(linear.get('stepPercent', 0)):g}% every {linear.get('stepBakeTimeInMinutes')} min"
    elif strategy == "BLUE_GREEN":
        shift = "blue/green"
    else:
        return "rolling update"
    return f"{shift}, bake {config.get('bakeTimeInMinutes')} min"


def _bake_lines(stage: State) -> list[str]:
    """The stage's onSuccess alarm condition, as the lines of a gate node (none without one)."""
    condition = (stage.get("onSuccess") or {}).get("condition") or {}
    rules = [
        r for r in condition.get("rules") or [] if (r.get("ruleTypeId") or {}).get("provider") == "CloudWatchAlarm"
    ]
    if not rules:
        return []
    wait = (rules[0].get("configuration") or {}).get("WaitTime", "?")
    return ["Bake gate", f"{len(rules)} alarms watched {wait} min", f"{condition.get('result', '?').lower()} on ALARM"]


def _extras(action: State, node: str, services: Mapping[Any, State], projects: Mapping[Any, State]) -> list[str]:
    """The running target hangs off the deploy node."""
    config = action.get("configuration") or {}
    variables = _variables(projects.get(config.get("ProjectName")))
    if "DEPLOYMENT" in variables:
        where = f"{variables.get('NAMESPACE', '?')}/{variables.get('DEPLOYMENT', '?')}"
        return [f"{node} --> {node}_target[({_label('EKS Deployment', where, 'behind an ALB ingress')})]"]
    if action.get("category") == "Deploy" and action.get("provider") == "ECS":
        service = services.get(config.get("ServiceName")) or {}
        inputs = service.get("inputs") or {}
        launch = inputs.get("launchType", "FARGATE")
        balancers = inputs.get("loadBalancers") or []
        behind = "behind an ALB" if balancers else "no load balancer"
        return [f"{node} --> {node}_target[({_label(f'ECS {launch} service', behind)})]"]
    return []
