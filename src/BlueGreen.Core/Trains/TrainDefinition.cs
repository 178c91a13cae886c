using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using BlueGreen.Core.Deployments;
using BlueGreen.Core.Releases;

namespace BlueGreen.Core.Trains;

/// <summary>A train definition that cannot be taken: the key at fault and what to do.</summary>
public sealed class TrainDefinitionException : Exception
{
    public TrainDefinitionException(string errorId, string key, string message, string recommendedAction)
        : base(message)
    {
        ErrorId = errorId;
        Key = key;
        RecommendedAction = recommendedAction;
    }

    public TrainDefinitionException()
        : this("InvalidTrainDefinition", string.Empty, "The train definition is not valid.", "See docs/trains.md.")
    {
    }

    public TrainDefinitionException(string message)
        : this("InvalidTrainDefinition", string.Empty, message, "See docs/trains.md.")
    {
    }

    public TrainDefinitionException(string message, Exception innerException)
        : base(message, innerException)
    {
        ErrorId = "InvalidTrainDefinition";
        Key = string.Empty;
        RecommendedAction = "See docs/trains.md.";
    }

    public string ErrorId { get; } = "InvalidTrainDefinition";

    /// <summary>Where in the definition, e.g. <c>Waves[1].Targets[0].Version</c>.</summary>
    public string Key { get; } = string.Empty;

    public string RecommendedAction { get; } = string.Empty;
}

/// <summary>One target of a train: what to release, where (region, profile), and how.</summary>
public sealed class TrainTarget
{
    public TrainTarget(ReleaseTarget target) => Target = target ?? throw new ArgumentNullException(nameof(target));

    public ReleaseTarget Target { get; }

    /// <summary>Where the target lives; null takes the session's.</summary>
    public string? Region { get; set; }

    public string? ProfileName { get; set; }

    public string? EndpointUrl { get; set; }

    public ReleaseController Controller { get; set; }

    /// <summary>Green as the target names a version (task definition, Lambda version).</summary>
    public string? Version { get; set; }

    /// <summary>ECS: container name to image (the empty name for a one-container task).</summary>
    public IReadOnlyDictionary<string, string>? Images { get; set; }

    public string? TrafficShift { get; set; }

    /// <summary>Alarms the release watches (for engines that take them per release).</summary>
    public IReadOnlyList<string> Alarms { get; set; } = Array.Empty<string>();

    public string? ApplicationName { get; set; }

    public string? DeploymentGroupName { get; set; }

    /// <summary>A key unique in the train: the target's key, with its region when one is named.</summary>
    public string Key => Region is null ? Target.Key : $"{Target.Key}@{Region}";

    public string DisplayName => Region is null ? Target.DisplayName : $"{Target.DisplayName} in {Region}";

    /// <summary>The release request of this target, marked as part of <paramref name="trainId"/> (its description).</summary>
    public ReleaseRequest ToRequest(string trainId)
    {
        var request = new ReleaseRequest(Target)
        {
            Version = Version,
            Images = Images,
            Controller = Controller,
            ApplicationName = ApplicationName,
            DeploymentGroupName = DeploymentGroupName,
            Alarms = Alarms.Count == 0 ? null : Alarms,
            Description = TrainDescription(trainId, Key),

            // The wave's gate is the train's go-ahead: a target's release does not also wait at Ready for a person.
            WithoutReadyWait = true,
        };
        if (TrafficShift is not null)
        {
            request.TrafficShift = TrafficShiftPolicy.TryParse(TrafficShift, out var policy, out _) ? policy : null;
        }

        return request;
    }

    /// <summary>The description a train's release carries: how a resumed train recognises a release it started.</summary>
    public static string TrainDescription(string trainId, string key) => $"{trainId} {key}";
}

/// <summary>A wave: targets released together, at most <see cref="ThrottleLimit"/> at once, and the alarms that gate the next wave.</summary>
public sealed class TrainWave
{
    public TrainWave(string name, IReadOnlyList<TrainTarget> targets)
    {
        Name = name;
        Targets = targets;
    }

    public string Name { get; }

    public IReadOnlyList<TrainTarget> Targets { get; }

    /// <summary>Null: the train's limit.</summary>
    public int? ThrottleLimit { get; set; }

    /// <summary>CloudWatch alarms checked once every target of the wave has succeeded; one in ALARM stops the train.
    /// Each is looked up in every region of the wave's targets.</summary>
    public IReadOnlyList<string> Alarms { get; set; } = Array.Empty<string>();
}

/// <summary>
/// A release train: waves of targets (ECS services, Lambda aliases, in any region) released one wave after another.
/// Read from data only (a hashtable, or a .psd1 parsed without running anything); every key is checked before anything is sent.
/// </summary>
public sealed class TrainDefinition
{
    private static readonly string[] TrainKeys = { "Name", "ThrottleLimit", "Waves" };
    private static readonly string[] WaveKeys = { "Name", "Order", "ThrottleLimit", "Alarm", "Targets" };
    private static readonly string[] TargetKeys =
    {
        "Cluster", "Service", "TaskDefinition", "Image", "FunctionName", "Alias", "Version", "Controller", "TrafficShift", "Alarm",
        "Region", "ProfileName", "EndpointUrl", "ApplicationName", "DeploymentGroupName",
    };

    public TrainDefinition(string name, IReadOnlyList<TrainWave> waves)
    {
        Name = name;
        Waves = waves;
    }

    public string Name { get; }

    public IReadOnlyList<TrainWave> Waves { get; }

    /// <summary>How many targets of a wave run at once unless the wave says otherwise.</summary>
    public int ThrottleLimit { get; set; } = 5;

    public IEnumerable<TrainTarget> Targets => Waves.SelectMany(w => w.Targets);

    /// <summary>A train from one wave of targets (piped requests).</summary>
    public static TrainDefinition OfTargets(string name, IReadOnlyList<TrainTarget> targets, int throttleLimit)
    {
        var definition = new TrainDefinition(name, new[] { new TrainWave("wave-1", targets) }) { ThrottleLimit = throttleLimit };
        definition.CheckUnique();
        return definition;
    }

    /// <summary>Reads a definition from a dictionary (keys compared without case).</summary>
    public static TrainDefinition FromDictionary(IDictionary data)
    {
        if (data is null)
        {
            throw new ArgumentNullException(nameof(data));
        }

        CheckKeys(data, TrainKeys, string.Empty);
        var name = Text(data, "Name", string.Empty) ?? "train";
        if (name.Length == 0 || name.Length > 64 || !name.All(c => char.IsLetterOrDigit(c) || c is '-' or '_'))
        {
            throw Bad("Name", $"The train name '{name}' is not 1 to 64 letters, digits, '-' or '_'.", "Name the train like 'spring-release'.");
        }

        var waveItems = List(data, "Waves", string.Empty);
        if (waveItems.Count == 0)
        {
            throw Bad("Waves", "The train has no waves.", "Give Waves = @( @{ Targets = @( ... ) }, ... ).");
        }

        var waves = new List<(int Order, int Index, TrainWave Wave)>();
        for (var w = 0; w < waveItems.Count; w++)
        {
            var path = $"Waves[{w}]";
            if (waveItems[w] is not IDictionary wave)
            {
                throw Bad(path, $"{path} is not a hashtable.", "Write each wave as @{ Name = ...; Targets = @( ... ) }.");
            }

            CheckKeys(wave, WaveKeys, path + ".");
            var targetItems = List(wave, "Targets", path + ".");
            if (targetItems.Count == 0)
            {
                throw Bad(path + ".Targets", $"Wave {w + 1} has no targets.", "Give each wave at least one target, or leave the wave out.");
            }

            var targets = new List<TrainTarget>();
            for (var t = 0; t < targetItems.Count; t++)
            {
                var targetPath = $"{path}.Targets[{t}]";
                targets.Add(ReadTarget(targetItems[t] as IDictionary ?? throw Bad(targetPath, $"{targetPath} is not a hashtable.", "Write each target as @{ Cluster = ...; Service = ...; ... } or @{ FunctionName = ...; Alias = ...; ... }."), targetPath));
            }

            waves.Add((Number(wave, "Order", path + ".", w + 1, int.MinValue), w, new TrainWave(Text(wave, "Name", path + ".") ?? $"wave-{w + 1}", targets)
            {
                ThrottleLimit = wave.Contains("ThrottleLimit") ? Number(wave, "ThrottleLimit", path + ".", 0, 1) : null,
                Alarms = Strings(wave, "Alarm", path + "."),
            }));
        }

        var definition = new TrainDefinition(name, waves.OrderBy(w => w.Order).ThenBy(w => w.Index).Select(w => w.Wave).ToList())
        {
            ThrottleLimit = data.Contains("ThrottleLimit") ? Number(data, "ThrottleLimit", string.Empty, 0, 1) : 5,
        };
        definition.CheckUnique();
        return definition;
    }

    private void CheckUnique()
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var target in Targets)
        {
            if (!seen.Add(target.Target.Key + "@" + (target.Region ?? string.Empty)))
            {
                throw Bad("Targets", $"The {target.DisplayName} is in the train twice.", "Release each target once per train.");
            }
        }
    }

    private static TrainTarget ReadTarget(IDictionary data, string path)
    {
        CheckKeys(data, TargetKeys, path + ".");
        var prefix = path + ".";
        var cluster = Text(data, "Cluster", prefix);
        var service = Text(data, "Service", prefix);
        var function = Text(data, "FunctionName", prefix);
        var alias = Text(data, "Alias", prefix);
        TrainTarget target;
        if (function is not null && alias is not null && cluster is null && service is null)
        {
            target = new TrainTarget(new LambdaAliasTarget(function, alias)) { Version = Text(data, "Version", prefix) };
            if (data.Contains("TaskDefinition") || data.Contains("Image"))
            {
                throw Bad(prefix + (data.Contains("Image") ? "Image" : "TaskDefinition"), $"{path} is a Lambda alias: it takes Version, not TaskDefinition or Image.", "Give the version to release with Version = '2'.");
            }

            if (target.Version is null)
            {
                throw Bad(prefix + "Version", $"{path} says no Version of {function} to release.", "Give the published version to release, e.g. Version = '2'.");
            }
        }
        else if (cluster is not null && service is not null && function is null && alias is null)
        {
            target = new TrainTarget(new EcsServiceTarget(cluster, service)) { Version = Text(data, "TaskDefinition", prefix), Images = Images(data, prefix) };
            if (data.Contains("Version"))
            {
                throw Bad(prefix + "Version", $"{path} is an ECS service: it takes TaskDefinition or Image, not Version.", "Give TaskDefinition = 'web:2' or Image = 'web=repo/web:2'.");
            }

            if ((target.Version is null) == (target.Images is null))
            {
                throw Bad(prefix + "TaskDefinition", $"{path} needs one of TaskDefinition and Image.", "Give TaskDefinition = 'web:2', or Image = 'web=repo/web:2' (or a hashtable of container = image).");
            }
        }
        else
        {
            throw Bad(path, $"{path} is neither an ECS service (Cluster and Service) nor a Lambda alias (FunctionName and Alias).", "Give Cluster and Service, or FunctionName and Alias.");
        }

        var controllerText = Text(data, "Controller", prefix);
        if (controllerText is not null)
        {
            if (!Enum.TryParse<ReleaseController>(controllerText, ignoreCase: true, out var controller) || !Enum.IsDefined(typeof(ReleaseController), controller) || char.IsDigit(controllerText[0]))
            {
                throw Bad(prefix + "Controller", $"{prefix}Controller '{controllerText}' is not one of {string.Join(", ", Enum.GetNames(typeof(ReleaseController)))}.", "Leave it out to let the module choose.");
            }

            target.Controller = controller;
        }

        target.TrafficShift = Text(data, "TrafficShift", prefix);
        if (target.TrafficShift is not null && !TrafficShiftPolicy.TryParse(target.TrafficShift, out _, out var problem))
        {
            throw Bad(prefix + "TrafficShift", problem ?? $"'{target.TrafficShift}' is not a traffic shift.", "Examples: AllAtOnce, Canary10Percent5Minutes, Linear10PercentEvery1Minutes.");
        }

        target.Alarms = Strings(data, "Alarm", prefix);
        target.Region = Text(data, "Region", prefix);
        if (target.Region is not null && !target.Region.All(c => char.IsLower(c) || char.IsDigit(c) || c == '-'))
        {
            throw Bad(prefix + "Region", $"'{target.Region}' is not a region name.", "Give a region like 'us-east-1'.");
        }

        target.ProfileName = Text(data, "ProfileName", prefix);
        target.EndpointUrl = Text(data, "EndpointUrl", prefix);
        if (target.EndpointUrl is not null && !Uri.TryCreate(target.EndpointUrl, UriKind.Absolute, out _))
        {
            throw Bad(prefix + "EndpointUrl", $"'{target.EndpointUrl}' is not an absolute URL.", "Give e.g. 'https://ecs.us-east-1.amazonaws.com', or leave it out.");
        }

        target.ApplicationName = Text(data, "ApplicationName", prefix);
        target.DeploymentGroupName = Text(data, "DeploymentGroupName", prefix);
        return target;
    }

    private static Dictionary<string, string>? Images(IDictionary data, string prefix)
    {
        if (!data.Contains("Image"))
        {
            return null;
        }

        var images = new Dictionary<string, string>(StringComparer.Ordinal);
        switch (data["Image"])
        {
            case IDictionary table:
                foreach (DictionaryEntry entry in table)
                {
                    images[Convert.ToString(entry.Key, CultureInfo.InvariantCulture) ?? string.Empty] = Convert.ToString(entry.Value, CultureInfo.InvariantCulture) ?? string.Empty;
                }

                break;
            case string text:
                var equals = text.IndexOf('=');
                images[equals > 0 ? text.Substring(0, equals) : string.Empty] = equals > 0 ? text.Substring(equals + 1) : text;
                break;
            default:
                throw Bad(prefix + "Image", $"{prefix}Image is neither text nor a hashtable.", "Give Image = 'web=repo/web:2' or @{ web = 'repo/web:2' }.");
        }

        if (images.Count == 0 || images.Values.Any(v => v.Length == 0))
        {
            throw Bad(prefix + "Image", $"{prefix}Image names no image.", "Give Image = 'web=repo/web:2' or @{ web = 'repo/web:2' }.");
        }

        return images;
    }

    private static void CheckKeys(IDictionary data, string[] known, string prefix)
    {
        foreach (var key in data.Keys)
        {
            var name = Convert.ToString(key, CultureInfo.InvariantCulture) ?? string.Empty;
            if (!known.Any(k => string.Equals(k, name, StringComparison.OrdinalIgnoreCase)))
            {
                throw Bad(prefix + name, $"'{prefix}{name}' is not a key of a train definition here.", $"Use only {string.Join(", ", known)}.");
            }
        }
    }

    private static object? Value(IDictionary data, string key)
    {
        foreach (DictionaryEntry entry in data)
        {
            if (string.Equals(Convert.ToString(entry.Key, CultureInfo.InvariantCulture), key, StringComparison.OrdinalIgnoreCase))
            {
                return entry.Value;
            }
        }

        return null;
    }

    private static string? Text(IDictionary data, string key, string prefix)
    {
        var value = Value(data, key);
        switch (value)
        {
            case null:
                return null;
            case string text when text.Trim().Length > 0:
                return text.Trim();
            case int or long:
                return Convert.ToString(value, CultureInfo.InvariantCulture);
            default:
                throw Bad(prefix + key, $"{prefix}{key} is {(value is string ? "empty" : "not text")}.", $"Give {key} as text, e.g. {key} = '...'.");
        }
    }

    private static int Number(IDictionary data, string key, string prefix, int fallback, int minimum)
    {
        var value = Value(data, key);
        if (value is null)
        {
            return fallback;
        }

        if (value is int or long or short or byte && Convert.ToInt64(value, CultureInfo.InvariantCulture) is var n && n >= minimum && n <= 1000)
        {
            return (int)n;
        }

        throw Bad(prefix + key, $"{prefix}{key} is not a whole number{(minimum > int.MinValue ? $" from {minimum}" : string.Empty)} up to 1000.", $"Give e.g. {key} = 4.");
    }

    private static IReadOnlyList<object?> List(IDictionary data, string key, string prefix)
    {
        var value = Value(data, key);
        return value switch
        {
            null => throw Bad(prefix + key, $"{prefix}{key} is missing.", $"Give {key} = @( ... )."),
            IDictionary single => new object?[] { single },
            string => throw Bad(prefix + key, $"{prefix}{key} is text, not a list.", $"Give {key} = @( ... )."),
            IEnumerable items => items.Cast<object?>().ToList(),
            _ => throw Bad(prefix + key, $"{prefix}{key} is not a list.", $"Give {key} = @( ... )."),
        };
    }

    private static List<string> Strings(IDictionary data, string key, string prefix)
    {
        var value = Value(data, key);
        var items = value switch
        {
            null => Array.Empty<object?>(),
            string text => new object?[] { text },
            IEnumerable list => list.Cast<object?>().ToArray(),
            _ => new[] { value },
        };
        if (items.Any(i => i is not string s || s.Trim().Length == 0))
        {
            throw Bad(prefix + key, $"{prefix}{key} holds something that is not a name.", $"Give {key} = 'name' or @('a', 'b').");
        }

        return items.Cast<string>().Select(s => s.Trim()).ToList();
    }

    private static TrainDefinitionException Bad(string key, string message, string action) => new("InvalidTrainDefinition", key, message, action);
}
