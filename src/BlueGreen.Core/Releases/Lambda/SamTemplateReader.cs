using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace BlueGreen.Core.Releases.Lambda;

/// <summary>One template's sections, the choice of function, the Globals merge and the resolution of values.</summary>
internal sealed class TemplateReader
{
    private const string ServerlessFunction = "AWS::Serverless::Function";
    private const string DeploymentPreference = "DeploymentPreference";

    /// <summary>Names that refer to names that refer to names: the chain is followed this far, and the stack stays small.</summary>
    private const int MaxReferenceDepth = 16;

    private readonly string _source;
    private readonly IReadOnlyDictionary<string, string> _given;
    private readonly Dictionary<string, YamlMappingNode?> _parameters = new(StringComparer.Ordinal);
    private readonly Dictionary<string, YamlMappingNode> _resources = new(StringComparer.Ordinal);
    private readonly YamlMappingNode? _globalFunction;
    private readonly HashSet<string> _resolving = new(StringComparer.Ordinal);
    private int _work;

    public TemplateReader(YamlMappingNode root, string source, IReadOnlyDictionary<string, string> given)
    {
        _source = source;
        _given = given;
        var resources = Section(root, "Resources");
        if (resources is null)
        {
            throw SamTemplate.Invalid(source, "the template has no Resources section, so it defines no function.");
        }

        foreach (var entry in resources.Children)
        {
            if (entry.Value is YamlMappingNode resource && !SamTemplate.IsIntrinsic(resource))
            {
                _resources[Key(entry.Key)] = resource;
            }
        }

        if (Section(root, "Parameters") is { } parameters)
        {
            foreach (var entry in parameters.Children)
            {
                _parameters[Key(entry.Key)] = entry.Value as YamlMappingNode;
            }
        }

        if (Section(root, "Globals") is { } globals && Child(globals, "Function") is YamlMappingNode function && !SamTemplate.IsIntrinsic(function))
        {
            _globalFunction = function;
        }
    }

    public SamDeploymentPolicy Policy(string? functionName)
    {
        var functions = _resources
            .Where(r => Child(r.Value, "Type") is YamlScalarNode { Value: ServerlessFunction })
            .Select(r => new Candidate(r.Key, r.Value, Child(r.Value, "Properties") as YamlMappingNode, this))
            .ToList();
        if (functions.Count == 0)
        {
            throw new SamTemplateException("SamFunctionNotFound", ReleaseErrorKind.ObjectNotFound,
                $"{_source} has no {ServerlessFunction}, so it gives no release policy.", _source,
                recommendedAction: "Pass the SAM template that defines the function (the one sam deploy uses).");
        }

        return Build(Choose(functions, functionName));
    }

    private Candidate Choose(List<Candidate> functions, string? functionName)
    {
        string described = string.Join(", ", functions.Take(20).Select(f => f.Describe())) + (functions.Count > 20 ? $", and {functions.Count - 20} more" : string.Empty);
        var names = functions.Select(f => f.Describe()).ToList();
        if (string.IsNullOrWhiteSpace(functionName))
        {
            if (functions.Count == 1)
            {
                return functions[0];
            }

            // Hook functions are functions too, usually with their preference disabled: the one left is the one released.
            var released = functions.Where(f => ReleasesByPreference(f)).ToList();
            if (released.Count == 1)
            {
                return released[0];
            }

            throw new SamTemplateException("SamFunctionAmbiguous", ReleaseErrorKind.InvalidArgument,
                $"{_source} has {functions.Count} {ServerlessFunction} resources ({described}) and no function was named.",
                _source, null, names, $"Name the function by its logical id or FunctionName, e.g. -FunctionName {functions[0].LogicalId}.");
        }

        var wanted = NameFromArn(functionName!.Trim());
        var byId = functions.FirstOrDefault(f => string.Equals(f.LogicalId, wanted, StringComparison.Ordinal));
        if (byId is not null)
        {
            return byId;
        }

        var byName = functions.Where(f => string.Equals(f.Name.Text, wanted, StringComparison.Ordinal)).ToList();
        if (byName.Count == 0)
        {
            // A function without FunctionName is named <stack>-<LogicalId>-<suffix> by CloudFormation.
            byName = functions.Where(f => !f.HasFunctionName && wanted.IndexOf("-" + f.LogicalId + "-", StringComparison.Ordinal) > 0).ToList();
        }

        if (byName.Count == 1)
        {
            return byName[0];
        }

        if (byName.Count > 1)
        {
            throw new SamTemplateException("SamFunctionAmbiguous", ReleaseErrorKind.InvalidArgument,
                $"{_source} has {byName.Count} functions that '{functionName}' could name: {string.Join(", ", byName.Select(f => f.Describe()))}.",
                _source, null, byName.Select(f => f.Describe()).ToList(), "Name the function by its logical id.");
        }

        throw new SamTemplateException("SamFunctionNotFound", ReleaseErrorKind.ObjectNotFound,
            $"{_source} has no {ServerlessFunction} named '{functionName}' (by logical id or FunctionName); it has {described}.",
            _source, null, names, "Name the function by its logical id or FunctionName in the template.");
    }

    private static string NameFromArn(string name)
    {
        // arn:aws:lambda:<region>:<account>:function:<name>[:<qualifier>]
        const string marker = ":function:";
        int at = name.StartsWith("arn:", StringComparison.Ordinal) ? name.IndexOf(marker, StringComparison.Ordinal) : -1;
        if (at < 0)
        {
            return name;
        }

        var rest = name.Substring(at + marker.Length);
        int colon = rest.IndexOf(':');
        return colon < 0 ? rest : rest.Substring(0, colon);
    }

    private bool ReleasesByPreference(Candidate function)
    {
        var preference = MergedPreference(function);
        if (preference?.Map is null)
        {
            return preference is not null && !IsNull(preference.Node);
        }

        return !preference.Map.TryGetValue("Enabled", out var enabled) || Enabled(enabled).Value != false;
    }

    private SamDeploymentPolicy Build(Candidate function)
    {
        var unresolved = new List<KeyValuePair<string, string>>();
        void Unresolved(string property, Item item, string reason, string advice) =>
            unresolved.Add(new KeyValuePair<string, string>(property, $"{item.Path} (line {item.Line} of {_source}) {reason}; {advice}."));

        string? functionName = function.Name.Text;
        if (function.Name.IsFailed)
        {
            Unresolved("FunctionName", function.NameItem!, function.Name.Reason!, "pass the function's name with -FunctionName or give FunctionName as a plain string");
        }

        string? alias = null;
        var aliasItem = Merged(function, "AutoPublishAlias");
        if (aliasItem is not null)
        {
            var value = Text(aliasItem.Node);
            alias = value.Text;
            if (value.IsFailed)
            {
                Unresolved("AutoPublishAlias", aliasItem, value.Reason!, "pass the alias with -Alias or give AutoPublishAlias as a plain string");
            }
        }

        var preference = MergedPreference(function);
        if (preference is null || (preference.Map is null && IsNull(preference.Node)))
        {
            throw new SamTemplateException("SamNoDeploymentPreference", ReleaseErrorKind.InvalidArgument,
                $"{_source}: {function.LogicalId} has no DeploymentPreference (nor has Globals.Function), so SAM moves its alias at once, without CodeDeploy.",
                _source, function.Line, null, "Add a DeploymentPreference with a Type to the function, or release without the template (-TrafficShift, -Alias).");
        }

        var alarms = new List<string>();
        var hooks = new Dictionary<string, string>(StringComparer.Ordinal);
        if (preference.Map is null)
        {
            if (SamTemplate.Intrinsic(preference.Node) is not { } intrinsic)
            {
                throw SamTemplate.Invalid(_source, $"{preference.Path} of {function.LogicalId} is not a mapping (Type, Alarms, Hooks, Enabled).", preference.Line);
            }

            Unresolved(DeploymentPreference, preference, Failure(intrinsic).Reason!, "write DeploymentPreference as a mapping of plain values, or release without the template");
            return Policy(function, functionName, alias, null, alarms, hooks, true, unresolved);
        }

        bool enabled = true;
        if (preference.Map.TryGetValue("Enabled", out var enabledItem))
        {
            var value = Enabled(enabledItem);
            enabled = value.Value ?? true;
            if (value.Value is null)
            {
                Unresolved("DeploymentPreference.Enabled", enabledItem, value.Reason!, "it is taken as true, SAM's default; give Enabled as true or false");
            }
        }

        if (!enabled)
        {
            // SAM ignores the rest of a disabled preference.
            return Policy(function, functionName, alias, null, alarms, hooks, false, unresolved);
        }

        if (aliasItem is null || (alias is null && !unresolved.Any(u => u.Key == "AutoPublishAlias")))
        {
            throw SamTemplate.Invalid(_source, $"{function.LogicalId} has a DeploymentPreference but no AutoPublishAlias, which SAM requires with it.", function.Line);
        }

        string? type = null;
        if (!preference.Map.TryGetValue("Type", out var typeItem) || (Text(typeItem.Node) is { IsAbsent: true }))
        {
            throw SamTemplate.Invalid(_source, $"the DeploymentPreference of {function.LogicalId} has no Type, which SAM requires (e.g. Canary10Percent5Minutes).", preference.Line);
        }

        var typeValue = Text(typeItem.Node);
        type = typeValue.Text;
        if (typeValue.IsFailed)
        {
            Unresolved("DeploymentPreference.Type", typeItem, typeValue.Reason!, "pass the policy with -TrafficShift or give Type as a plain string");
        }

        if (preference.Map.TryGetValue("Alarms", out var alarmsItem))
        {
            ReadAlarms(function, alarmsItem, alarms, Unresolved);
        }

        if (preference.Map.TryGetValue("Hooks", out var hooksItem))
        {
            ReadHooks(function, hooksItem, hooks, Unresolved);
        }

        return Policy(function, functionName, alias, type, alarms, hooks, true, unresolved);
    }

    private SamDeploymentPolicy Policy(Candidate function, string? functionName, string? alias, string? type, List<string> alarms,
        Dictionary<string, string> hooks, bool enabled, List<KeyValuePair<string, string>> unresolved) =>
        new(_source, function.LogicalId, functionName, alias, type, alarms.Distinct(StringComparer.Ordinal).ToList(), hooks, enabled, unresolved);

    private void ReadAlarms(Candidate function, Item alarms, List<string> names, Action<string, Item, string, string> unresolved)
    {
        const string advice = "pass the alarm name with -Alarm or give the value as a plain string";
        if (alarms.List is null)
        {
            var intrinsic = SamTemplate.Intrinsic(alarms.Node);
            if (IsNull(alarms.Node) || (intrinsic is { Name: "Ref" } && Text(alarms.Node).IsAbsent))
            {
                return;
            }

            // SAM takes a list, or !If between two lists.
            if (intrinsic is { Name: "Fn::If" } @if)
            {
                unresolved("DeploymentPreference.Alarms", alarms, Failure(@if).Reason!, "pass the alarm names with -Alarm or give Alarms as a list of plain strings");
                return;
            }

            throw SamTemplate.Invalid(_source, $"{alarms.Path} of {function.LogicalId} is not a list; SAM takes a list of alarm names.", alarms.Line);
        }

        foreach (var item in alarms.List)
        {
            var value = Text(item.Node);
            if (value.IsFailed)
            {
                unresolved("DeploymentPreference.Alarms", item, value.Reason!, advice);
            }
            else if (value.Text is { } name)
            {
                names.Add(name);
            }
        }
    }

    private void ReadHooks(Candidate function, Item hooks, Dictionary<string, string> names, Action<string, Item, string, string> unresolved)
    {
        if (hooks.Map is null)
        {
            if (IsNull(hooks.Node))
            {
                return;
            }

            if (SamTemplate.Intrinsic(hooks.Node) is { } intrinsic)
            {
                unresolved("DeploymentPreference.Hooks", hooks, Failure(intrinsic).Reason!,
                    "pass the hooks with -Hook or give Hooks as a mapping of PreTraffic and PostTraffic");
                return;
            }

            throw SamTemplate.Invalid(_source, $"{hooks.Path} of {function.LogicalId} is not a mapping; SAM takes PreTraffic and PostTraffic.", hooks.Line);
        }

        foreach (var unknown in hooks.Map.Where(h => h.Key is not "PreTraffic" and not "PostTraffic"))
        {
            throw SamTemplate.Invalid(_source, $"{hooks.Path} of {function.LogicalId} has '{unknown.Key}'; SAM's hooks are PreTraffic and PostTraffic.", unknown.Value.Line);
        }

        foreach (var (sam, stage) in new[] { ("PreTraffic", SamDeploymentPolicy.BeforeAllowTraffic), ("PostTraffic", SamDeploymentPolicy.AfterAllowTraffic) })
        {
            if (!hooks.Map.TryGetValue(sam, out var hook))
            {
                continue;
            }

            var value = Text(hook.Node);
            if (value.IsFailed)
            {
                unresolved("DeploymentPreference.Hooks." + sam, hook, value.Reason!,
                    $"give the hook function a plain FunctionName (CodeDeploy calls it by name), or pass the hook with -Hook @{{ {stage} = '<function name>' }}");
            }
            else if (value.Text is { } name)
            {
                names[stage] = name;
            }
        }
    }

    private (bool? Value, string? Reason) Enabled(Item item)
    {
        if (IsNull(item.Node))
        {
            return (false, null); // SAM: an Enabled given without a value is falsy
        }

        var value = Text(item.Node);
        if (value.IsFailed)
        {
            return (null, value.Reason);
        }

        if (value.IsAbsent)
        {
            return (true, null);
        }

        var text = value.Text!.Trim();
        if (string.Equals(text, "true", StringComparison.OrdinalIgnoreCase))
        {
            return (true, null);
        }

        if (string.Equals(text, "false", StringComparison.OrdinalIgnoreCase))
        {
            return (false, null);
        }

        // YAML 1.1, as SAM reads templates, also knows these when unquoted.
        if (item.Node is YamlScalarNode { Style: ScalarStyle.Plain } && item.Node.Tag.IsEmpty)
        {
            switch (text.ToUpperInvariant())
            {
                case "YES" or "ON":
                    return (true, null);
                case "NO" or "OFF":
                    return (false, null);
            }
        }

        return (null, $"is '{Shorten(text)}', which is neither true nor false");
    }

    // ----- Globals -----

    private Item? Merged(Candidate function, string key)
    {
        var local = function.Properties is null ? null : Child(function.Properties, key);
        var global = _globalFunction is null ? null : Child(_globalFunction, key);
        if (local is not null)
        {
            return global is null ? Wrap(local, key) : Merge(Wrap(global, "Globals.Function." + key), Wrap(local, key));
        }

        return global is null ? null : Wrap(global, "Globals.Function." + key);
    }

    private Item? MergedPreference(Candidate function) => Merged(function, DeploymentPreference);

    /// <summary>SAM's merge: mappings merge key by key (the function's wins), lists concatenate (Globals first),
    /// anything else (intrinsics too) is the function's own.</summary>
    private Item Merge(Item global, Item local)
    {
        Tick();
        if (global.Map is not null && local.Map is not null)
        {
            var map = new Dictionary<string, Item>(global.Map, StringComparer.Ordinal);
            foreach (var entry in local.Map)
            {
                map[entry.Key] = map.TryGetValue(entry.Key, out var both) ? Merge(both, entry.Value) : entry.Value;
            }

            return new Item(local.Node, local.Path) { Map = map };
        }

        if (global.List is not null && local.List is not null)
        {
            return new Item(local.Node, local.Path) { List = global.List.Concat(local.List).ToList() };
        }

        return local;
    }

    private Item Wrap(YamlNode node, string path)
    {
        Tick();
        if (node is YamlMappingNode mapping && node.Tag.IsEmpty && !SamTemplate.IsIntrinsic(node))
        {
            var map = new Dictionary<string, Item>(StringComparer.Ordinal);
            foreach (var entry in mapping.Children)
            {
                var key = Key(entry.Key);
                map[key] = Wrap(entry.Value, path + "." + key);
            }

            return new Item(node, path) { Map = map };
        }

        if (node is YamlSequenceNode sequence && node.Tag.IsEmpty)
        {
            return new Item(node, path) { List = sequence.Children.Select((child, i) => Wrap(child, $"{path}[{i.ToString(CultureInfo.InvariantCulture)}]")).ToList() };
        }

        return new Item(node, path);
    }

    // ----- Values -----

    /// <summary>A value that is one string, after intrinsics; empty strings count as absent.</summary>
    private Value Text(YamlNode node)
    {
        var value = Resolve(node);
        return value.Kind switch
        {
            ValueKind.Items => Value.Failed(value.Reason ?? "is a list where a single value is expected"),
            ValueKind.Text when value.Text!.Length == 0 => Value.Absent,
            _ => value,
        };
    }

    private Value Resolve(YamlNode node)
    {
        Tick();
        if (SamTemplate.Intrinsic(node) is { } intrinsic)
        {
            return intrinsic.Name switch
            {
                "Ref" => intrinsic.Argument is YamlScalarNode { Value: { } name } ? Ref(name.Trim()) : Value.Failed($"uses {intrinsic.Display} with something other than a name"),
                "Fn::Sub" => Sub(intrinsic),
                "Fn::Join" => Join(intrinsic),
                _ => Failure(intrinsic),
            };
        }

        return node switch
        {
            YamlScalarNode scalar when IsNull(scalar) => Value.Absent,
            YamlScalarNode scalar => Value.Of(scalar.Value ?? string.Empty),
            YamlSequenceNode => Value.Failed("is a list where a single value is expected"),
            _ => Value.Failed("is a mapping where a single value is expected"),
        };
    }

    private static Value Failure((string Name, string Display, YamlNode Argument, bool Tagged) intrinsic) => Value.Failed(intrinsic.Name switch
    {
        "Fn::GetAtt" => $"uses {intrinsic.Display}, which only CloudFormation can resolve",
        "Fn::If" => $"uses {intrinsic.Display}, whose condition only CloudFormation evaluates",
        "Fn::ImportValue" => $"uses {intrinsic.Display}, another stack's export, which only CloudFormation can resolve",
        "Fn::FindInMap" => $"uses {intrinsic.Display}, which only CloudFormation can resolve",
        "Condition" => $"uses {intrinsic.Display}, which only CloudFormation evaluates",
        _ => $"uses {intrinsic.Display}, which this reader does not resolve (it resolves !Ref, !Sub and !Join of plain values)",
    });

    private Value Ref(string name)
    {
        if (name == "AWS::NoValue")
        {
            return Value.Absent;
        }

        if (name.StartsWith("AWS::", StringComparison.Ordinal))
        {
            return _given.TryGetValue(name, out var pseudo)
                ? Value.Of(pseudo)
                : Value.Failed($"refers to {name}, which only CloudFormation knows unless it is given as a parameter");
        }

        if (_parameters.TryGetValue(name, out var parameter))
        {
            return Parameter(name, parameter);
        }

        if (_resources.TryGetValue(name, out var resource))
        {
            var type = (Child(resource, "Type") as YamlScalarNode)?.Value ?? "?";
            return type switch
            {
                ServerlessFunction or "AWS::Lambda::Function" => NamedResource(name, resource, "function", "FunctionName"),
                "AWS::CloudWatch::Alarm" or "AWS::CloudWatch::CompositeAlarm" => NamedResource(name, resource, "alarm", "AlarmName"),
                "AWS::CodeDeploy::DeploymentConfig" => NamedResource(name, resource, "deployment configuration", "DeploymentConfigName"),
                _ => Value.Failed($"refers to '{name}' ({type}), whose value only CloudFormation knows"),
            };
        }

        return Value.Failed($"refers to '{name}', which is neither a parameter nor a resource of the template");
    }

    private Value Parameter(string name, YamlMappingNode? parameter)
    {
        var type = parameter is null ? null : (Child(parameter, "Type") as YamlScalarNode)?.Value;
        bool isList = type is not null && (type == "CommaDelimitedList" || type.StartsWith("List<", StringComparison.Ordinal));
        string? text = null;
        if (_given.TryGetValue(name, out var given))
        {
            text = given;
        }
        else if (parameter is not null && Child(parameter, "Default") is { } fallback)
        {
            if (fallback is YamlScalarNode { Value: var scalar } && fallback.Tag.IsEmpty)
            {
                text = scalar ?? string.Empty;
            }
            else
            {
                return Value.Failed($"refers to parameter '{name}', whose Default is not a plain value");
            }
        }

        if (text is null)
        {
            return Value.Failed($"refers to parameter '{name}', which has no Default and was given no value");
        }

        return isList
            ? Value.List(text.Split(',').Select(s => s.Trim()).ToList(), $"refers to parameter '{name}', a list where a single value is expected")
            : Value.Of(text);
    }

    /// <summary>Ref of a function, alarm or deployment configuration gives its name: known only when the template names it.</summary>
    private Value NamedResource(string logicalId, YamlMappingNode resource, string kind, string nameProperty)
    {
        var property = Child(resource, "Properties") is YamlMappingNode properties ? Child(properties, nameProperty) : null;
        if (property is null || IsNull(property))
        {
            return Value.Failed($"refers to {kind} '{logicalId}', which has no {nameProperty}, so CloudFormation generates its name");
        }

        if (_resolving.Count >= MaxReferenceDepth)
        {
            return Value.Failed($"refers to {kind} '{logicalId}' through more than {MaxReferenceDepth} resources, each named by the next");
        }

        if (!_resolving.Add(logicalId))
        {
            return Value.Failed($"refers to {kind} '{logicalId}', whose {nameProperty} refers back to itself");
        }

        try
        {
            var value = Text(property);
            return value.IsFailed ? Value.Failed($"refers to {kind} '{logicalId}', whose {nameProperty} {value.Reason}")
                : value.IsAbsent ? Value.Failed($"refers to {kind} '{logicalId}', whose {nameProperty} is empty, so CloudFormation generates its name")
                : value;
        }
        finally
        {
            _resolving.Remove(logicalId);
        }
    }

    private Value Sub((string Name, string Display, YamlNode Argument, bool Tagged) intrinsic)
    {
        string? format;
        YamlMappingNode? variables = null;
        switch (intrinsic.Argument)
        {
            case YamlScalarNode scalar:
                format = scalar.Value;
                break;
            case YamlSequenceNode { Children.Count: 1 or 2 } sequence when sequence.Children[0] is YamlScalarNode first && first.Tag.IsEmpty:
                format = first.Value;
                variables = sequence.Children.Count == 2 ? sequence.Children[1] as YamlMappingNode : null;
                if (sequence.Children.Count == 2 && variables is null)
                {
                    return Value.Failed($"uses {intrinsic.Display} whose variables are not a mapping");
                }

                break;
            default:
                return Value.Failed($"uses {intrinsic.Display} in a form other than a string or [string, variables]");
        }

        format ??= string.Empty;
        var text = new StringBuilder();
        int at = 0;
        while (at < format.Length)
        {
            int open = format.IndexOf("${", at, StringComparison.Ordinal);
            int close = open < 0 ? -1 : format.IndexOf('}', open + 2);
            if (open < 0 || close < 0)
            {
                text.Append(format, at, format.Length - at);
                break;
            }

            text.Append(format, at, open - at);
            var name = format.Substring(open + 2, close - open - 2);
            at = close + 1;
            if (name.StartsWith("!", StringComparison.Ordinal))
            {
                text.Append("${").Append(name, 1, name.Length - 1).Append('}'); // ${!Literal} is written as ${Literal}
                continue;
            }

            var variable = variables is null ? null : Child(variables, name);
            Value value;
            if (variable is not null)
            {
                value = Text(variable);
            }
            else if (name.IndexOf('.') >= 0)
            {
                return Value.Failed($"uses {intrinsic.Display} with ${{{name}}}, an attribute only CloudFormation can resolve");
            }
            else
            {
                value = Ref(name.Trim());
                value = value.Kind == ValueKind.Items ? Value.Failed(value.Reason!) : value;
            }

            if (value.IsFailed)
            {
                return Value.Failed($"uses {intrinsic.Display}, where ${{{name}}} {value.Reason}");
            }

            text.Append(value.Text);
            Limit(text);
        }

        return Value.Of(text.ToString());
    }

    private Value Join((string Name, string Display, YamlNode Argument, bool Tagged) intrinsic)
    {
        if (intrinsic.Argument is not YamlSequenceNode { Children.Count: 2 } arguments || arguments.Children[0] is not YamlScalarNode { Value: var delimiter })
        {
            return Value.Failed($"uses {intrinsic.Display} in a form other than [delimiter, list]");
        }

        var parts = new List<string>();
        if (arguments.Children[1] is YamlSequenceNode list && list.Tag.IsEmpty)
        {
            for (int i = 0; i < list.Children.Count; i++)
            {
                var value = Resolve(list.Children[i]);
                if (value.IsFailed || value.Kind == ValueKind.Items)
                {
                    return Value.Failed($"uses {intrinsic.Display}, where item {i.ToString(CultureInfo.InvariantCulture)} {value.Reason ?? "is a list"}");
                }

                if (!value.IsAbsent)
                {
                    parts.Add(value.Text!);
                }
            }
        }
        else
        {
            var value = Resolve(arguments.Children[1]);
            if (value.Kind != ValueKind.Items)
            {
                return Value.Failed($"uses {intrinsic.Display}, whose list {(value.IsFailed ? value.Reason : "is not a list")}");
            }

            parts.AddRange(value.Items!);
        }

        var text = new StringBuilder();
        for (int i = 0; i < parts.Count; i++)
        {
            text.Append(i == 0 ? string.Empty : delimiter).Append(parts[i]);
            Limit(text);
        }

        return Value.Of(text.ToString());
    }

    private void Limit(StringBuilder text)
    {
        if (text.Length > SamTemplate.MaxValueLength)
        {
            throw SamTemplate.TooComplex(_source, $"a value grows beyond {SamTemplate.MaxValueLength} characters while it is resolved; YAML aliases may be multiplying it.");
        }
    }

    private void Tick()
    {
        if (++_work > SamTemplate.MaxWork)
        {
            throw SamTemplate.TooComplex(_source, $"reading the function's values takes more than {SamTemplate.MaxWork.ToString("N0", CultureInfo.InvariantCulture)} steps; YAML aliases may be multiplying them.");
        }
    }

    private static string Shorten(string text) => text.Length <= 60 ? text : text.Substring(0, 60) + "...";

    // ----- Nodes -----

    private static bool IsNull(YamlNode node) =>
        node is YamlScalarNode { Style: ScalarStyle.Plain or ScalarStyle.Any, Value: null or "" or "~" or "null" or "Null" or "NULL" } && node.Tag.IsEmpty;

    private static string Key(YamlNode key) => (key as YamlScalarNode)?.Value ?? string.Empty;

    private static YamlNode? Child(YamlMappingNode mapping, string key)
    {
        foreach (var entry in mapping.Children)
        {
            if (entry.Key is YamlScalarNode { Value: { } name } && string.Equals(name, key, StringComparison.Ordinal))
            {
                return entry.Value;
            }
        }

        return null;
    }

    private static YamlMappingNode? Section(YamlMappingNode root, string name) =>
        Child(root, name) is YamlMappingNode section && !SamTemplate.IsIntrinsic(section) ? section : null;

    private sealed class Candidate
    {
        public Candidate(string logicalId, YamlMappingNode resource, YamlMappingNode? properties, TemplateReader reader)
        {
            LogicalId = logicalId;
            Line = (int)resource.Start.Line;
            Properties = properties;
            var name = properties is null ? null : Child(properties, "FunctionName");
            HasFunctionName = name is not null && !IsNull(name);
            NameItem = name is null ? null : new Item(name, "FunctionName");
            Name = name is null ? Value.Absent : reader.Text(name);
        }

        public string LogicalId { get; }

        public int Line { get; }

        public YamlMappingNode? Properties { get; }

        public bool HasFunctionName { get; }

        public Item? NameItem { get; }

        public Value Name { get; }

        public string Describe() =>
            Name.Text is { } name ? $"{LogicalId} (FunctionName '{name}')"
            : HasFunctionName ? $"{LogicalId} (FunctionName not resolved)"
            : $"{LogicalId} (named by CloudFormation)";
    }

    /// <summary>A property after the Globals merge, with where it was written.</summary>
    private sealed class Item
    {
        public Item(YamlNode node, string path)
        {
            Node = node;
            Path = path;
        }

        public YamlNode Node { get; }

        public string Path { get; }

        public int Line => (int)Node.Start.Line;

        public Dictionary<string, Item>? Map { get; set; }

        public List<Item>? List { get; set; }
    }

    private enum ValueKind
    {
        Text,
        Items,
        Absent,
        Failed,
    }

    private readonly struct Value
    {
        private Value(ValueKind kind, string? text, IReadOnlyList<string>? items, string? reason)
        {
            Kind = kind;
            Text = text;
            Items = items;
            Reason = reason;
        }

        public static Value Absent => new(ValueKind.Absent, null, null, null);

        public ValueKind Kind { get; }

        public string? Text { get; }

        public IReadOnlyList<string>? Items { get; }

        /// <summary>Why it failed, as the rest of a sentence that starts with the property.</summary>
        public string? Reason { get; }

        public bool IsFailed => Kind == ValueKind.Failed;

        public bool IsAbsent => Kind == ValueKind.Absent;

        public static Value Of(string text) => new(ValueKind.Text, text, null, null);

        public static Value List(IReadOnlyList<string> items, string reasonAsText) => new(ValueKind.Items, null, items, reasonAsText);

        public static Value Failed(string reason) => new(ValueKind.Failed, null, null, reason);
    }
}
