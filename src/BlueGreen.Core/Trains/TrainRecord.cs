using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using BlueGreen.Core.Deployments;
using BlueGreen.Core.Releases;

namespace BlueGreen.Core.Trains;

/// <summary>Where a train stands.</summary>
public enum TrainState
{
    /// <summary>Waves are being released.</summary>
    Running,

    /// <summary>Every wave's targets succeeded and every gate passed.</summary>
    Succeeded,

    /// <summary>A target failed or a gate failed: nothing more starts, and the train waits to be undone.</summary>
    Stopped,

    /// <summary>Every target that moved is being put back on blue.</summary>
    Undoing,

    /// <summary>Every target that moved serves blue again.</summary>
    Undone,

    /// <summary>The undo could not put every target back: see each target's note.</summary>
    UndoFailed,
}

/// <summary>Where one target of a train stands.</summary>
public enum TrainTargetState
{
    /// <summary>Not started.</summary>
    Pending,

    /// <summary>The train is about to start it (written before the release is created): a resumed train looks in AWS first.</summary>
    Starting,

    /// <summary>Its release runs (<see cref="TrainTargetProgress.DeploymentId"/>).</summary>
    Started,

    Succeeded,

    Failed,

    /// <summary>It never moved, or moved and is back on blue.</summary>
    Undone,

    /// <summary>Its undo failed: see the note.</summary>
    UndoFailed,
}

/// <summary>One target's progress in a train, as the record keeps it.</summary>
public sealed class TrainTargetProgress
{
    public TrainTargetProgress(TrainTarget target) => Target = target ?? throw new ArgumentNullException(nameof(target));

    public TrainTarget Target { get; }

    public string Key => Target.Key;

    public TrainTargetState State { get; set; }

    public string? DeploymentId { get; set; }

    public DeploymentEngine? Engine { get; set; }

    /// <summary>The release that put blue back (a rollback, a release of the previous version), when it has an id of its own.</summary>
    public string? UndoDeploymentId { get; set; }

    /// <summary>Why it failed, or what its undo did, in a line.</summary>
    public string? Note { get; set; }

    /// <summary>Whether the target may have moved: its release was (or may have been) created.</summary>
    public bool Moved => State is TrainTargetState.Starting or TrainTargetState.Started or TrainTargetState.Succeeded or TrainTargetState.Failed or TrainTargetState.UndoFailed
        || (State == TrainTargetState.Undone && DeploymentId is not null);
}

/// <summary>
/// A train's plan and progress, kept in AWS so that any session with the same credentials finds it. Versioned JSON
/// (<c>"format": "bluegreen-train/1"</c>): readers of version 1 ignore members they do not know, so later writers may add
/// some; a new meaning needs <c>bluegreen-train/2</c>. The definition is kept whole, so a train resumes without it.
/// </summary>
public sealed class TrainRecord
{
    public const string Format = "bluegreen-train/1";
    public const string FormatMarker = "bluegreen-train/";
    public const string IdPrefix = "train-";

    public TrainRecord(string id, TrainDefinition definition, DateTimeOffset created)
    {
        Id = id ?? throw new ArgumentNullException(nameof(id));
        Definition = definition ?? throw new ArgumentNullException(nameof(definition));
        Created = Seconds(created);
        Updated = Created;
        Waves = definition.Waves.Select(w => (IReadOnlyList<TrainTargetProgress>)w.Targets.Select(t => new TrainTargetProgress(t)).ToList()).ToList();
    }

    public string Id { get; }

    public TrainDefinition Definition { get; }

    public TrainState State { get; set; }

    public DateTimeOffset Created { get; }

    public DateTimeOffset Updated { get; set; }

    /// <summary>The index of the wave running (or that stopped the train); -1 before the first.</summary>
    public int CurrentWave { get; set; } = -1;

    /// <summary>Why the train stopped, in a line.</summary>
    public string? Failure { get; set; }

    /// <summary>The targets' progress, wave by wave, in the definition's order.</summary>
    public IReadOnlyList<IReadOnlyList<TrainTargetProgress>> Waves { get; }

    public IEnumerable<TrainTargetProgress> Targets => Waves.SelectMany(w => w);

    /// <summary>A new train id: <c>train-</c>, the UTC time to the second, and 6 random letters and digits.</summary>
    public static string NewId(DateTimeOffset now)
    {
        const string alphabet = "abcdefghijkmnpqrstuvwxyz23456789";
        var bytes = new byte[6];
        using (var random = RandomNumberGenerator.Create())
        {
            random.GetBytes(bytes);
        }

        return IdPrefix + now.UtcDateTime.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture) + "-" + new string(bytes.Select(b => alphabet[b % alphabet.Length]).ToArray());
    }

    /// <summary>Whether an id is a train's (rather than a release's).</summary>
    public static bool IsTrainId(string? id) =>
        id is not null && id.StartsWith(IdPrefix, StringComparison.Ordinal) && id.Length > IdPrefix.Length && id.Length <= 64 &&
        id.Skip(IdPrefix.Length).All(c => c is >= 'a' and <= 'z' or >= '0' and <= '9' or '-');

    public bool IsComplete => State is TrainState.Succeeded or TrainState.Undone or TrainState.UndoFailed;

    internal static DateTimeOffset Seconds(DateTimeOffset time) => DateTimeOffset.FromUnixTimeSeconds(time.ToUnixTimeSeconds());
}

/// <summary>Writes and reads <see cref="TrainRecord"/> as versioned JSON.</summary>
public static class TrainRecordCodec
{
    public static string Encode(TrainRecord record)
    {
        if (record is null)
        {
            throw new ArgumentNullException(nameof(record));
        }

        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteString("format", TrainRecord.Format);
            json.WriteString("id", record.Id);
            json.WriteString("name", record.Definition.Name);
            json.WriteString("state", record.State.ToString());
            json.WriteNumber("created", record.Created.ToUnixTimeSeconds());
            json.WriteNumber("updated", record.Updated.ToUnixTimeSeconds());
            json.WriteNumber("throttleLimit", record.Definition.ThrottleLimit);
            json.WriteNumber("currentWave", record.CurrentWave);
            if (record.Failure is not null)
            {
                json.WriteString("failure", record.Failure);
            }

            json.WriteStartArray("waves");
            for (var w = 0; w < record.Definition.Waves.Count; w++)
            {
                var wave = record.Definition.Waves[w];
                json.WriteStartObject();
                json.WriteString("name", wave.Name);
                if (wave.ThrottleLimit is { } limit)
                {
                    json.WriteNumber("throttleLimit", limit);
                }

                Strings(json, "alarms", wave.Alarms);
                json.WriteStartArray("targets");
                foreach (var progress in record.Waves[w])
                {
                    WriteTarget(json, progress);
                }

                json.WriteEndArray();
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.ToArray()).Replace("\r\n", "\n");
    }

    private static void WriteTarget(Utf8JsonWriter json, TrainTargetProgress progress)
    {
        var target = progress.Target;
        json.WriteStartObject();
        json.WriteString("key", target.Key);
        switch (target.Target)
        {
            case EcsServiceTarget ecs:
                json.WriteString("cluster", ecs.Cluster);
                json.WriteString("service", ecs.Service);
                break;
            case LambdaAliasTarget lambda:
                json.WriteString("function", lambda.FunctionName);
                json.WriteString("alias", lambda.Alias);
                break;
        }

        Optional(json, "region", target.Region);
        Optional(json, "profile", target.ProfileName);
        Optional(json, "endpoint", target.EndpointUrl);
        json.WriteString("controller", target.Controller.ToString());
        Optional(json, "version", target.Version);
        if (target.Images is not null)
        {
            json.WriteStartObject("images");
            foreach (var image in target.Images.OrderBy(i => i.Key, StringComparer.Ordinal))
            {
                json.WriteString(image.Key, image.Value);
            }

            json.WriteEndObject();
        }

        Optional(json, "trafficShift", target.TrafficShift);
        Strings(json, "alarms", target.Alarms);
        Optional(json, "application", target.ApplicationName);
        Optional(json, "group", target.DeploymentGroupName);
        json.WriteString("state", progress.State.ToString());
        Optional(json, "deployment", progress.DeploymentId);
        Optional(json, "engine", progress.Engine?.ToString());
        Optional(json, "undo", progress.UndoDeploymentId);
        Optional(json, "note", progress.Note);
        json.WriteEndObject();
    }

    private static void Optional(Utf8JsonWriter json, string name, string? value)
    {
        if (value is not null)
        {
            json.WriteString(name, value);
        }
    }

    private static void Strings(Utf8JsonWriter json, string name, IReadOnlyList<string> values)
    {
        if (values.Count == 0)
        {
            return;
        }

        json.WriteStartArray(name);
        foreach (var value in values)
        {
            json.WriteStringValue(value);
        }

        json.WriteEndArray();
    }

    /// <summary>Reads a record. False with no problem when the text is no train record; false with a problem when it is one
    /// this version cannot read.</summary>
    public static bool TryDecode(string? text, out TrainRecord? record, out string? problem)
    {
        record = null;
        problem = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(text!);
        }
        catch (JsonException)
        {
            return false;
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || Str(root, "format") is not { } format || !format.StartsWith(TrainRecord.FormatMarker, StringComparison.Ordinal))
            {
                return false;
            }

            if (format != TrainRecord.Format)
            {
                problem = $"The train record is of format '{format}', which this version of BlueGreen does not read (it reads {TrainRecord.Format}).";
                return false;
            }

            try
            {
                record = Read(root);
                return true;
            }
            catch (Exception ex) when (ex is FormatException or InvalidOperationException or KeyNotFoundException or TrainDefinitionException or ArgumentException)
            {
                problem = $"The train record cannot be read: {ex.Message}";
                return false;
            }
        }
    }

    private static TrainRecord Read(JsonElement root)
    {
        var waves = new List<TrainWave>();
        var progress = new List<List<(TrainTargetState State, string? Deployment, string? Engine, string? Undo, string? Note)>>();
        foreach (var wave in root.GetProperty("waves").EnumerateArray())
        {
            var targets = new List<TrainTarget>();
            var states = new List<(TrainTargetState, string?, string?, string?, string?)>();
            foreach (var item in wave.GetProperty("targets").EnumerateArray())
            {
                ReleaseTarget releaseTarget = Str(item, "cluster") is { } cluster
                    ? new EcsServiceTarget(cluster, Required(item, "service"))
                    : new LambdaAliasTarget(Required(item, "function"), Required(item, "alias"));
                var target = new TrainTarget(releaseTarget)
                {
                    Region = Str(item, "region"),
                    ProfileName = Str(item, "profile"),
                    EndpointUrl = Str(item, "endpoint"),
                    Controller = Enum<ReleaseController>(item, "controller"),
                    Version = Str(item, "version"),
                    TrafficShift = Str(item, "trafficShift"),
                    Alarms = List(item, "alarms"),
                    ApplicationName = Str(item, "application"),
                    DeploymentGroupName = Str(item, "group"),
                };
                if (item.TryGetProperty("images", out var images) && images.ValueKind == JsonValueKind.Object)
                {
                    target.Images = images.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString() ?? string.Empty, StringComparer.Ordinal);
                }

                targets.Add(target);
                states.Add((Enum<TrainTargetState>(item, "state"), Str(item, "deployment"), Str(item, "engine"), Str(item, "undo"), Str(item, "note")));
            }

            waves.Add(new TrainWave(Required(wave, "name"), targets)
            {
                ThrottleLimit = wave.TryGetProperty("throttleLimit", out var limit) ? limit.GetInt32() : null,
                Alarms = List(wave, "alarms"),
            });
            progress.Add(states);
        }

        var definition = new TrainDefinition(Required(root, "name"), waves) { ThrottleLimit = root.GetProperty("throttleLimit").GetInt32() };
        var record = new TrainRecord(Required(root, "id"), definition, DateTimeOffset.FromUnixTimeSeconds(root.GetProperty("created").GetInt64()))
        {
            State = Enum<TrainState>(root, "state"),
            Updated = DateTimeOffset.FromUnixTimeSeconds(root.GetProperty("updated").GetInt64()),
            CurrentWave = root.GetProperty("currentWave").GetInt32(),
            Failure = Str(root, "failure"),
        };
        for (var w = 0; w < progress.Count; w++)
        {
            for (var t = 0; t < progress[w].Count; t++)
            {
                var (state, deployment, engine, undo, note) = progress[w][t];
                var target = record.Waves[w][t];
                target.State = state;
                target.DeploymentId = deployment;
                target.Engine = engine is null ? null : (DeploymentEngine)System.Enum.Parse(typeof(DeploymentEngine), engine, ignoreCase: false);
                target.UndoDeploymentId = undo;
                target.Note = note;
            }
        }

        if (!TrainRecord.IsTrainId(record.Id))
        {
            throw new FormatException($"'{record.Id}' is not a train id.");
        }

        return record;
    }

    private static string? Str(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static string Required(JsonElement element, string name) => Str(element, name) ?? throw new FormatException($"'{name}' is missing.");

    private static T Enum<T>(JsonElement element, string name)
        where T : struct
    {
        var text = Required(element, name);
        return System.Enum.TryParse<T>(text, ignoreCase: false, out var value) && System.Enum.IsDefined(typeof(T), value) && !char.IsDigit(text[0])
            ? value
            : throw new FormatException($"'{name}' has the unknown value '{text}'.");
    }

    private static IReadOnlyList<string> List(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Array
            ? value.EnumerateArray().Select(v => v.GetString() ?? string.Empty).ToList()
            : Array.Empty<string>();
}
