#!/usr/bin/env python3
"""Generates the typed AWS service clients of src/BlueGreen.Aws/Services from AWS's API models.

The models themselves are not part of the project: point --models at a folder holding
<service>/service-2.json and <service>/paginators-1.json (as AWS publishes them in botocore).
The generated files are committed, so building the project never needs the models.

    python3 build/generate_aws_models.py --models <folder with the AWS models>
"""
import argparse
import html
import json
import os
import re
import sys

# The operations releases need, per service; the shapes they reach are generated with them.
SERVICES = {
    "codedeploy": {
        "namespace": "CodeDeploy", "client": "CodeDeployClient", "metadata": "CodeDeploy",
        "operations": [
            "CreateApplication", "GetApplication", "ListApplications",
            "CreateDeploymentGroup", "GetDeploymentGroup", "UpdateDeploymentGroup", "ListDeploymentGroups",
            "CreateDeploymentConfig", "GetDeploymentConfig",
            "CreateDeployment", "GetDeployment", "BatchGetDeployments", "ListDeployments",
            "ListDeploymentTargets", "GetDeploymentTarget", "BatchGetDeploymentTargets",
            "ContinueDeployment", "StopDeployment", "PutLifecycleEventHookExecutionStatus",
        ],
    },
    "ecs": {
        "namespace": "ECS", "client": "EcsClient", "metadata": "Ecs",
        "operations": [
            "CreateCluster", "DescribeClusters", "ListClusters",
            "RegisterTaskDefinition", "DescribeTaskDefinition", "ListTaskDefinitionFamilies", "ListTaskDefinitions",
            "CreateService", "DescribeServices", "UpdateService", "ListServices",
            "CreateTaskSet", "DescribeTaskSets", "UpdateTaskSet", "UpdateServicePrimaryTaskSet", "DeleteTaskSet",
            "ListTasks", "DescribeTasks",
            "ListServiceDeployments", "DescribeServiceDeployments", "DescribeServiceRevisions", "StopServiceDeployment", "ContinueServiceDeployment",
        ],
    },
    "lambda": {
        "namespace": "Lambda", "client": "LambdaClient", "metadata": "Lambda",
        "operations": [
            "CreateFunction", "GetFunction", "GetFunctionConfiguration", "UpdateFunctionCode", "ListFunctions",
            "PublishVersion", "ListVersionsByFunction",
            "CreateAlias", "GetAlias", "UpdateAlias", "ListAliases", "DeleteAlias",
            "Invoke", "TagResource", "UntagResource", "ListTags",
        ],
    },
    "elbv2": {
        "namespace": "ElasticLoadBalancingV2", "client": "ElasticLoadBalancingV2Client", "metadata": "ElasticLoadBalancingV2",
        "operations": [
            "CreateLoadBalancer", "DescribeLoadBalancers",
            "CreateTargetGroup", "DescribeTargetGroups", "DescribeTargetHealth",
            "CreateListener", "DescribeListeners", "ModifyListener",
            "CreateRule", "DescribeRules", "ModifyRule",
        ],
    },
    "cloudwatch": {
        "namespace": "CloudWatch", "client": "CloudWatchClient", "metadata": "CloudWatch",
        "operations": ["PutMetricAlarm", "DescribeAlarms", "SetAlarmState", "GetMetricData", "PutDashboard", "GetDashboard", "ListDashboards", "DeleteDashboards"],
    },
}

# Operations that only read, or that set an absolute state, may be sent again when an answer is lost.
SAFE_PREFIXES = ("Get", "List", "Describe", "BatchGet", "Update", "Modify", "Put", "Set")
# Updates that are not idempotent when sent twice: a conditional alias update (RevisionId) fails the second
# time after the first worked, a forced service update starts a second ECS deployment, a group rename is gone.
NOT_SAFE = {"PutLifecycleEventHookExecutionStatus", "PutMetricData", "UpdateAlias", "UpdateService", "UpdateDeploymentGroup"}

CSHARP_KEYWORDS = {"event", "object", "string", "params", "operator", "base", "default", "namespace", "class", "checked", "fixed", "lock"}


def pascal(name):
    if not name:
        return name
    return name[0].upper() + name[1:]


def enum_member(value):
    parts = re.split(r"[^0-9A-Za-z]+", value)
    result = "".join(p[:1].upper() + (p[1:].lower() if p.isupper() and len(p) > 1 else p[1:]) for p in parts if p)
    if not result or result[0].isdigit():
        result = "Value" + result
    return result


def summary(doc):
    if not doc:
        return None
    text = re.sub(r"<[^>]+>", "", doc)
    text = html.unescape(text)
    text = " ".join(text.split())
    match = re.match(r"(.+?\.)(\s|$)", text)
    sentence = match.group(1) if match else text
    if len(sentence) > 240:
        sentence = sentence[:237].rstrip() + "..."
    return sentence.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class Generator:
    def __init__(self, key, model, paginators, config):
        self.key = key
        self.model = model
        self.shapes = model["shapes"]
        self.protocol = model["metadata"]["protocol"]
        if key == "cloudwatch":
            self.protocol = "json"  # awsJson1_0: CloudWatch speaks it alongside Query.
        self.paginators = paginators.get("pagination", {})
        self.config = config
        self.ns = "BlueGreen.Aws." + config["namespace"]
        self.structures = set()  # nested structure shapes to generate
        self.enums = set()
        self.renamed = {}  # class names of nested shapes that clash

    # ---- shape walking
    def collect(self, shape_name):
        shape = self.shapes[shape_name]
        kind = shape["type"]
        if kind == "structure":
            if shape.get("document") or shape_name in self.structures:
                return
            self.structures.add(shape_name)
            for member in shape["members"].values():
                self.collect(member["shape"])
        elif kind == "list":
            self.collect(shape["member"]["shape"])
        elif kind == "map":
            self.collect(shape["key"]["shape"])
            self.collect(shape["value"]["shape"])
        elif kind == "string" and "enum" in shape:
            self.enums.add(shape_name)

    def class_name(self, shape_name):
        return self.renamed.get(shape_name, shape_name)

    def cs_type(self, shape_name):
        shape = self.shapes[shape_name]
        kind = shape["type"]
        if shape.get("document"):
            # A free-form JSON document (e.g. ECS hookDetails): kept as sent, so a read-modify-write loses nothing.
            return "global::System.Text.Json.JsonElement?"
        return {
            "string": "string", "integer": "int?", "long": "long?", "boolean": "bool?", "double": "double?",
            "float": "float?", "timestamp": "global::System.DateTime?", "blob": "byte[]",
        }.get(kind) or {
            "structure": lambda: self.class_name(shape_name),
            "list": lambda: "global::System.Collections.Generic.List<" + self.cs_type(shape["member"]["shape"]).rstrip("?") + ">",
            "map": lambda: "global::System.Collections.Generic.Dictionary<string, " + self.cs_type(shape["value"]["shape"]).rstrip("?") + ">",
        }[kind]()

    # ---- emitting
    def properties(self, shape_name, class_name, rest_bindings=False):
        shape = self.shapes[shape_name]
        lines = []
        for member_name, member in shape["members"].items():
            prop = pascal(member_name)
            if prop == class_name or prop in CSHARP_KEYWORDS:
                prop = prop + "Value"
            wire = member.get("locationName", member_name) if self.protocol == "query" else member_name
            doc = summary(member.get("documentation") or self.shapes[member["shape"]].get("documentation"))
            if doc:
                lines.append(f"    /// <summary>{doc}</summary>")
            ignored = rest_bindings and ("location" in member or shape.get("payload") == member_name)
            if ignored:
                lines.append("    [JsonIgnore]")
            else:
                lines.append(f"    [JsonPropertyName(\"{wire}\")]")
            cs = self.cs_type(member["shape"])
            cs_decl = cs if cs.endswith("?") else cs + "?"
            lines.append(f"    public {cs_decl} {prop} {{ get; set; }}")
            lines.append("")
        return lines

    def member_prop(self, shape_name, member_name, class_name):
        prop = pascal(member_name)
        if prop == class_name or prop in CSHARP_KEYWORDS:
            prop += "Value"
        return prop

    def generate(self, out_dir):
        ops = self.config["operations"]
        for op in ops:
            operation = self.model["operations"][op]
            if "input" in operation:
                for m in self.shapes[operation["input"]["shape"]]["members"].values():
                    self.collect(m["shape"])
            if "output" in operation:
                for m in self.shapes[operation["output"]["shape"]]["members"].values():
                    self.collect(m["shape"])
        # ECS has a shape called Task; keep it usable next to System.Threading.Tasks.Task.
        if "Task" in self.structures:
            self.renamed["Task"] = "EcsTask"

        model_lines = self.header() + [f"namespace {self.ns}.Model;", ""]
        for shape_name in sorted(self.structures):
            shape = self.shapes[shape_name]
            if shape.get("exception"):
                continue
            name = self.class_name(shape_name)
            doc = summary(shape.get("documentation"))
            if doc:
                model_lines.append(f"/// <summary>{doc}</summary>")
            model_lines.append(f"public sealed class {name}")
            model_lines.append("{")
            model_lines += self.properties(shape_name, name)
            trim(model_lines)
            model_lines += ["}", ""]

        request_lines = self.header() + [f"namespace {self.ns}.Model;", ""]
        for op in ops:
            operation = self.model["operations"][op]
            req = op + "Request"
            request_lines.append(f"/// <summary>The request of {op}.</summary>")
            request_lines += [f"public sealed class {req}", "{"]
            if "input" in operation:
                request_lines += self.properties(operation["input"]["shape"], req, rest_bindings=self.protocol == "rest-json")
            trim(request_lines)
            request_lines += ["}", ""]
            resp = op + "Response"
            request_lines.append(f"/// <summary>The response of {op}.</summary>")
            request_lines += [f"public sealed class {resp} : AwsResponse", "{"]
            if "output" in operation:
                request_lines += self.properties(operation["output"]["shape"], resp, rest_bindings=self.protocol == "rest-json")
            trim(request_lines)
            request_lines += ["}", ""]

        enum_lines = self.header(usings=False) + [f"namespace {self.ns}.Model;", ""]
        for shape_name in sorted(self.enums):
            shape = self.shapes[shape_name]
            enum_lines.append(f"/// <summary>The values of {shape_name}.</summary>")
            enum_lines += [f"public static class {shape_name}", "{"]
            seen = set()
            for value in shape["enum"]:
                member = enum_member(value)
                while member in seen or member == shape_name:
                    member += "_"
                seen.add(member)
                enum_lines.append(f"    public const string {member} = \"{value}\";")
            enum_lines += ["}", ""]

        errors = {}
        for op in ops:
            for error in self.model["operations"][op].get("errors", []):
                shape = self.shapes[error["shape"]]
                code = shape.get("error", {}).get("code", error["shape"])
                errors[enum_member(error["shape"])] = code
        error_lines = self.header(usings=False) + [f"namespace {self.ns};", "",
                                                   f"/// <summary>The error codes the generated operations of {self.config['namespace']} can return.</summary>",
                                                   f"public static class {self.config['namespace']}ErrorCode", "{"]
        for name in sorted(errors):
            error_lines.append(f"    public const string {name} = \"{errors[name]}\";")
        error_lines += ["}", ""]

        client_lines = self.client()
        context_lines = self.context()

        os.makedirs(out_dir, exist_ok=True)
        prefix = self.config["namespace"]
        for suffix, lines in (("Model", model_lines), ("Operations", request_lines), ("Enums", enum_lines),
                              ("ErrorCodes", error_lines), ("Client", client_lines), ("JsonContext", context_lines)):
            with open(os.path.join(out_dir, f"{prefix}.{suffix}.g.cs"), "w", encoding="utf-8", newline="\n") as f:
                f.write("\n".join(lines).rstrip() + "\n")

    def header(self, usings=True):
        lines = ["// <auto-generated>", "// Generated by build/generate_aws_models.py from the AWS API model. Do not edit.", "// </auto-generated>", "#nullable enable"]
        if usings:
            lines += ["using System.Text.Json.Serialization;", "using BlueGreen.Aws.Runtime;"]
        lines.append("")
        return lines

    def context(self):
        ns = self.ns
        lines = self.header() + [f"namespace {ns};", "",
                                 "/// <summary>Source-generated JSON metadata for the service's requests and responses.</summary>",
                                 "[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,",
                                 "    Converters = new[]",
                                 "    {",
                                 "        typeof(AwsTimestampConverter), typeof(AwsStringConverter), typeof(AwsInt32Converter), typeof(AwsInt64Converter),",
                                 "        typeof(AwsDoubleConverter), typeof(AwsSingleConverter), typeof(AwsBooleanConverter),",
                                 "    })]"]
        for op in self.config["operations"]:
            lines.append(f"[JsonSerializable(typeof(Model.{op}Request))]")
            lines.append(f"[JsonSerializable(typeof(Model.{op}Response))]")
        lines += [f"internal sealed partial class {self.config['namespace']}JsonContext : JsonSerializerContext", "{", "}"]
        return lines

    def client(self):
        cfg = self.config
        ctx = f"{cfg['namespace']}JsonContext.Default"
        lines = self.header() + ["using System;", "using System.Collections.Generic;", "using System.Net.Http;", "using System.Threading;",
                                 f"using {self.ns}.Model;", "using BlueGreen.Aws.Configuration;", "",
                                 f"namespace {self.ns};", "",
                                 f"/// <summary>A client for {self.model['metadata']['serviceId']}, shaped like the AWS SDK's, over the shared AWS layer.</summary>",
                                 f"public sealed partial class {cfg['client']} : AwsServiceClient", "{",
                                 f"    public {cfg['client']}(AwsContext context)",
                                 f"        : base(context, AwsServiceMetadata.{cfg['metadata']})", "    {", "    }", ""]
        for op in cfg["operations"]:
            operation = self.model["operations"][op]
            safe = op.startswith(SAFE_PREFIXES) and op not in NOT_SAFE
            doc = summary(operation.get("documentation"))
            if doc:
                lines.append(f"    /// <summary>{doc}</summary>")
            signature = f"    public async System.Threading.Tasks.Task<{op}Response> {op}Async({op}Request request, CancellationToken cancellationToken = default)"
            lines += [signature, "    {", "        if (request is null)", "        {", "            throw new ArgumentNullException(nameof(request));", "        }", ""]
            if "input" in operation:
                in_shape = self.shapes[operation["input"]["shape"]]
                for required in in_shape.get("required", []):
                    prop = self.member_prop(operation["input"]["shape"], required, op + "Request")
                    lines.append(f"        RequireMember(request.{prop}, \"{op}\", \"{prop}\");")
            op_info = f"new AwsOperation(\"{op}\", retryWhenOutcomeUnknown: {'true' if safe else 'false'})"
            if self.protocol == "json":
                lines.append(f"        return await InvokeJsonAsync({op_info}, request, {ctx}.{op}Request, {ctx}.{op}Response, cancellationToken).ConfigureAwait(false);")
            elif self.protocol == "query":
                lines.append(f"        return await InvokeQueryAsync({op_info}, request, {ctx}.{op}Request, {ctx}.{op}Response, cancellationToken).ConfigureAwait(false);")
            else:
                lines += self.rest_body(op, operation, op_info, ctx)
            lines += ["    }", ""]
        # Paginators: every page of an operation that pages.
        for op in cfg["operations"]:
            pager = self.paginators.get(op)
            if not pager:
                continue
            in_token = pager["input_token"]
            out_token = pager["output_token"]
            if isinstance(in_token, list):
                continue
            in_prop = pascal(in_token)
            out_prop = pascal(out_token)
            lines += [f"    /// <summary>Calls {op} until the last page, and returns every page.</summary>",
                      f"    public async System.Threading.Tasks.Task<IReadOnlyList<{op}Response>> {op}AllPagesAsync({op}Request request, CancellationToken cancellationToken = default)",
                      "    {",
                      "        if (request is null)", "        {", "            throw new ArgumentNullException(nameof(request));", "        }", "",
                      f"        var pages = new List<{op}Response>();",
                      f"        var first = request.{in_prop};",
                      "        try",
                      "        {",
                      "            do",
                      "            {",
                      f"                var page = await {op}Async(request, cancellationToken).ConfigureAwait(false);",
                      "                pages.Add(page);",
                      f"                request.{in_prop} = string.IsNullOrEmpty(page.{out_prop}) || page.{out_prop} == request.{in_prop} ? null : page.{out_prop};",
                      "            }",
                      f"            while (request.{in_prop} is not null);",
                      "        }",
                      "        finally",
                      "        {",
                      f"            request.{in_prop} = first;",
                      "        }", "",
                      "        return pages;",
                      "    }", ""]
        trim(lines)
        lines.append("}")
        return lines

    def rest_body(self, op, operation, op_info, ctx):
        http = operation["http"]
        lines = []
        uri = http["requestUri"]
        path, _, static_query = uri.partition("?")
        in_shape_name = operation.get("input", {}).get("shape")
        in_shape = self.shapes[in_shape_name] if in_shape_name else {"members": {}}
        req_class = op + "Request"
        parts = re.split(r"(\{[^}]+\})", path)
        expr = []
        for part in parts:
            if not part:
                continue
            if part.startswith("{"):
                label = part[1:-1].rstrip("+")
                greedy = part[1:-1].endswith("+")
                member = next(k for k, v in in_shape["members"].items() if v.get("location") == "uri" and v.get("locationName", k) == label)
                prop = self.member_prop(in_shape_name, member, req_class)
                expr.append(f"UriLabel(request.{prop}, \"{prop}\", greedy: {'true' if greedy else 'false'})")
            else:
                expr.append(json.dumps(part))
        lines.append(f"        var http = new AwsHttpRequest(new HttpMethod(\"{http['method']}\"), {' + '.join(expr)});")
        if static_query:
            for item in static_query.split("&"):
                key, _, value = item.partition("=")
                lines.append(f"        http.AddQuery(\"{key}\", \"{value}\");")
        payload = in_shape.get("payload")
        for member_name, member in in_shape["members"].items():
            prop = self.member_prop(in_shape_name, member_name, req_class)
            loc = member.get("location")
            wire = member.get("locationName", member_name)
            kind = self.shapes[member["shape"]]["type"]
            if loc == "querystring":
                if kind == "list":
                    lines.append(f"        if (request.{prop} is not null) {{ foreach (var item in request.{prop}) {{ http.AddQuery(\"{wire}\", item); }} }}")
                else:
                    lines.append(f"        http.AddQuery(\"{wire}\", ToWire(request.{prop}));")
            elif loc == "header":
                lines.append(f"        http.AddHeader(\"{wire}\", ToWire(request.{prop}));")
        if payload:
            lines.append(f"        http.SetRawBody(request.{self.member_prop(in_shape_name, payload, req_class)});")
        elif any("location" not in m for m in in_shape["members"].values()):
            lines.append(f"        http.SetJsonBody(request, {ctx}.{req_class});")
        lines.append(f"        var response = await SendRestAsync({op_info}, http, cancellationToken).ConfigureAwait(false);")
        out_shape_name = operation.get("output", {}).get("shape")
        out_shape = self.shapes[out_shape_name] if out_shape_name else {"members": {}}
        out_payload = out_shape.get("payload")
        resp_class = op + "Response"
        if out_payload:
            lines.append(f"        var result = new {resp_class}();")
            lines.append(f"        result.{self.member_prop(out_shape_name, out_payload, resp_class)} = response.Body;")
        else:
            lines.append(f"        var result = ReadJsonBody(response, {ctx}.{resp_class});")
        for member_name, member in out_shape["members"].items():
            prop = self.member_prop(out_shape_name, member_name, resp_class)
            loc = member.get("location")
            kind = self.shapes[member["shape"]]["type"]
            if loc == "header":
                wire = member.get("locationName", member_name)
                if kind == "string":
                    lines.append(f"        result.{prop} = response.GetHeader(\"{wire}\");")
            elif loc == "statusCode":
                lines.append(f"        result.{prop} = (int)response.StatusCode;")
        lines.append("        return Complete(result, response);")
        return lines


def trim(lines):
    while lines and lines[-1] == "":
        lines.pop()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--models", required=True, help="folder with <service>/service-2.json")
    parser.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "..", "src", "BlueGreen.Aws", "Services"))
    args = parser.parse_args()
    for key, config in SERVICES.items():
        with open(os.path.join(args.models, key, "service-2.json"), encoding="utf-8") as f:
            model = json.load(f)
        pag_path = os.path.join(args.models, key, "paginators-1.json")
        paginators = {}
        if os.path.exists(pag_path):
            with open(pag_path, encoding="utf-8") as f:
                paginators = json.load(f)
        Generator(key, model, paginators, config).generate(os.path.join(args.out, config["namespace"]))
        print(f"generated {config['namespace']}")


if __name__ == "__main__":
    sys.exit(main())
