using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.RepresentationModel;

namespace BlueGreen.Core.Releases.Lambda;

/// <summary>Reads the release policy of one function from an AWS SAM template (YAML or JSON): <c>AutoPublishAlias</c>
/// and <c>DeploymentPreference</c> (<c>Type</c>, <c>Alarms</c>, <c>Hooks</c>, <c>Enabled</c>), merged with
/// <c>Globals.Function</c>. CloudFormation intrinsics (<c>!Ref</c>, <c>!Sub</c>, <c>!Join</c> and their long forms)
/// are resolved where they name plain values; what only CloudFormation can work out is reported, never guessed.</summary>
public static class SamTemplate
{
    /// <summary>The largest template read: CloudFormation's own limit for a template in S3.</summary>
    public const int MaxTemplateBytes = 1024 * 1024;

    /// <summary>Nesting deeper than any template needs; refused before the document is built, which recurses.</summary>
    internal const int MaxDepth = 64;

    /// <summary>CloudFormation itself refuses YAML aliases; a few are allowed, an alias bomb is not.</summary>
    internal const int MaxAliases = 100;

    /// <summary>Steps of merging and resolving; aliases that multiply work run out of these instead of memory.</summary>
    internal const int MaxWork = 100_000;

    /// <summary>The longest value resolved (a name, a type); longer ones come only from expansion.</summary>
    internal const int MaxValueLength = 4096;


    private static readonly Regex YamlDotNetPosition = new(@"^\(Line: \d+, Col: \d+, Idx: \d+\) - \(Line: \d+, Col: \d+, Idx: \d+\):\s*",
        RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));

    /// <summary>Reads the template at <paramref name="path"/>; see <see cref="Parse"/>.</summary>
    public static SamDeploymentPolicy Read(string path, string? functionName, IReadOnlyDictionary<string, string>? parameters = null)
    {
        if (string.IsNullOrWhiteSpace(path))
        {
            throw new SamTemplateException("SamTemplateNotFound", ReleaseErrorKind.InvalidArgument, "The path of the SAM template is empty.",
                path, recommendedAction: "Pass the path of the template that sam deploy uses, e.g. -SamTemplate ./template.yaml.");
        }

        string text;
        try
        {
            var file = new FileInfo(path);
            if (!file.Exists)
            {
                throw new SamTemplateException("SamTemplateNotFound", ReleaseErrorKind.ObjectNotFound, $"The SAM template '{path}' does not exist.",
                    path, recommendedAction: "Pass the path of the template that sam deploy uses, e.g. -SamTemplate ./template.yaml.");
            }

            if (file.Length > MaxTemplateBytes)
            {
                throw TooLarge(path, file.Length);
            }

            using var stream = file.OpenRead();
            var buffer = new byte[MaxTemplateBytes + 1];
            int length = 0, read;
            while (length < buffer.Length && (read = stream.Read(buffer, length, buffer.Length - length)) > 0)
            {
                length += read;
            }

            if (length > MaxTemplateBytes)
            {
                throw TooLarge(path, length);
            }

            using var reader = new StreamReader(new MemoryStream(buffer, 0, length), new UTF8Encoding(false), detectEncodingFromByteOrderMarks: true);
            text = reader.ReadToEnd();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or System.Security.SecurityException)
        {
            throw new SamTemplateException("SamTemplateUnreadable", ReleaseErrorKind.InvalidOperation, $"The SAM template '{path}' cannot be read: {ex.Message}",
                path, recommendedAction: "Check that the file exists and can be read by this user.", innerException: ex);
        }

        return Parse(text, functionName, parameters, path);
    }

    /// <summary>Reads a template from its text.</summary>
    /// <param name="text">The template, YAML or JSON.</param>
    /// <param name="functionName">The function's logical id or its <c>FunctionName</c> (a name or an ARN); when null, the
    /// template's only <c>AWS::Serverless::Function</c>, or else its only one whose deployment preference is not disabled.</param>
    /// <param name="parameters">Template parameter values (overriding their defaults), and pseudo parameters such as
    /// <c>AWS::Region</c>, <c>AWS::AccountId</c> and <c>AWS::StackName</c>, which are otherwise unknown.</param>
    /// <param name="source">What to call the template in messages.</param>
    public static SamDeploymentPolicy Parse(string text, string? functionName, IReadOnlyDictionary<string, string>? parameters = null, string source = "template")
    {
        if (text is null)
        {
            throw new ArgumentNullException(nameof(text));
        }

        source ??= "template";
        int bytes = Encoding.UTF8.GetByteCount(text);
        if (bytes > MaxTemplateBytes)
        {
            throw TooLarge(source, bytes);
        }

        var root = Load(text, source);
        var template = new TemplateReader(root, source, parameters ?? new Dictionary<string, string>());
        return template.Policy(functionName);
    }

    private static SamTemplateException TooLarge(string source, long bytes) =>
        new("SamTemplateTooLarge", ReleaseErrorKind.InvalidArgument,
            $"The SAM template '{source}' is {bytes.ToString("N0", CultureInfo.InvariantCulture)} bytes; templates of more than {MaxTemplateBytes.ToString("N0", CultureInfo.InvariantCulture)} bytes (CloudFormation's own limit) are not read.",
            source, recommendedAction: "Pass the SAM template itself, not a packaged or generated file.");

    internal static SamTemplateException Invalid(string source, string message, int? line = null, Exception? inner = null) =>
        new("SamTemplateInvalid", ReleaseErrorKind.InvalidArgument,
            line is null ? $"{source}: {message}" : $"{source}, line {line}{(message.StartsWith("column ", StringComparison.Ordinal) ? ", " : ": ")}{message}",
            source, line, recommendedAction: "Fix the template so that sam validate accepts it.", innerException: inner);

    internal static SamTemplateException TooComplex(string source, string message, int? line = null) =>
        new("SamTemplateTooComplex", ReleaseErrorKind.InvalidArgument, line is null ? $"{source}: {message}" : $"{source}, line {line}: {message}",
            source, line, recommendedAction: "Write the template without YAML anchors and aliases, as CloudFormation requires.");

    /// <summary>Checks the event stream first (depth, aliases, keys, documents) without building anything, then builds
    /// the document: the representation model keeps <c>!Ref</c> and the other short tags as tags instead of failing.</summary>
    private static YamlMappingNode Load(string text, string source)
    {
        try
        {
            Check(text, source);
            var stream = new YamlStream();
            stream.Load(new Parser(new StringReader(text)));
            if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is YamlScalarNode { Value: null or "" })
            {
                throw Invalid(source, "the template is empty.");
            }

            if (stream.Documents[0].RootNode is not YamlMappingNode root || IsIntrinsic(root))
            {
                throw Invalid(source, "the template is not a mapping of sections (Resources, Parameters, Globals, ...).", (int)stream.Documents[0].RootNode.Start.Line);
            }

            return root;
        }
        catch (YamlException ex)
        {
            var message = YamlDotNetPosition.Replace(ex.Message, string.Empty);
            int line = (int)ex.Start.Line;
            long column = ex.Start.Column;
            if (message.IndexOf(" tab", StringComparison.OrdinalIgnoreCase) >= 0 && LineIndentedWithTab(text) is { } tabbed)
            {
                // The parser marks where the mapping began, not the tab.
                line = tabbed;
                column = 1;
            }

            throw Invalid(source, $"column {column.ToString(CultureInfo.InvariantCulture)}: this is not valid YAML or JSON: {message}", line, ex);
        }
        catch (InvalidOperationException ex)
        {
            // The parser's own state breaks on some truncated input (an unclosed [ at the end) instead of reporting it.
            throw Invalid(source, "this is not valid YAML or JSON: it ends before every [ and { is closed, or is cut short otherwise.", LineCount(text), ex);
        }
    }

    private static int LineCount(string text) => Math.Max(1, text.Count(c => c == '\n') + (text.EndsWith("\n", StringComparison.Ordinal) ? 0 : 1));

    private static int? LineIndentedWithTab(string text)
    {
        var lines = text.Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            var indentation = lines[i].Substring(0, lines[i].Length - lines[i].TrimStart(' ', '\t').Length);
            if (indentation.IndexOf('\t') >= 0)
            {
                return i + 1;
            }
        }

        return null;
    }

    private sealed class Frame
    {
        public Frame(bool isMapping) => IsMapping = isMapping;

        public bool IsMapping { get; }

        public bool ExpectKey { get; set; } = true;

        public HashSet<string> Keys { get; } = new(StringComparer.Ordinal);
    }

    private static void Check(string text, string source)
    {
        var parser = new Parser(new StringReader(text));
        var frames = new Stack<Frame>();
        var anchors = new HashSet<string>(StringComparer.Ordinal);
        int aliases = 0, documents = 0;
        while (parser.MoveNext())
        {
            var current = parser.Current!;
            int line = (int)current.Start.Line;
            if (current is NodeEvent { Anchor.IsEmpty: false } anchored)
            {
                anchors.Add(anchored.Anchor.Value);
            }

            switch (current)
            {
                case DocumentStart:
                    if (++documents > 1)
                    {
                        throw Invalid(source, "the file holds more than one YAML document; a template is one.", line);
                    }

                    break;
                case AnchorAlias alias:
                    if (++aliases > MaxAliases)
                    {
                        throw TooComplex(source, $"the template uses more than {MaxAliases} YAML aliases; CloudFormation accepts none.", line);
                    }

                    if (!anchors.Contains(alias.Value.Value))
                    {
                        throw Invalid(source, $"this is not valid YAML or JSON: the alias *{alias.Value.Value} has no anchor &{alias.Value.Value} before it.", line);
                    }

                    Node(frames, null, source, line);
                    break;
                case Scalar scalar:
                    Node(frames, scalar.Value, source, line);
                    break;
                case MappingStart or SequenceStart:
                    Node(frames, null, source, line);
                    if (frames.Count >= MaxDepth)
                    {
                        throw TooComplex(source, $"the template nests more than {MaxDepth} levels deep.", line);
                    }

                    frames.Push(new Frame(current is MappingStart));
                    break;
                case MappingEnd or SequenceEnd:
                    frames.Pop();
                    break;
            }
        }
    }

    /// <summary>Keys must be plain strings, each once: a collection or alias as key would be hashed recursively, and a
    /// repeated key would silently win over the first.</summary>
    private static void Node(Stack<Frame> frames, string? scalarKey, string source, int line)
    {
        if (frames.Count == 0 || !frames.Peek().IsMapping)
        {
            return;
        }

        var frame = frames.Peek();
        if (frame.ExpectKey)
        {
            if (scalarKey is null)
            {
                throw Invalid(source, "a mapping key is a list, a mapping or an alias; template keys are plain names.", line);
            }

            if (!frame.Keys.Add(scalarKey))
            {
                throw Invalid(source, $"the key '{scalarKey}' appears twice in the same mapping.", line);
            }
        }

        frame.ExpectKey = !frame.ExpectKey;
    }

    /// <summary>An intrinsic function: a short tag (<c>!Ref</c>, <c>!Sub</c>, ...) or a mapping of one key
    /// <c>Ref</c>, <c>Condition</c> or <c>Fn::*</c>; SAM merges these like plain values.</summary>
    internal static bool IsIntrinsic(YamlNode node) => Intrinsic(node) is not null;

    internal static (string Name, string Display, YamlNode Argument, bool Tagged)? Intrinsic(YamlNode node)
    {
        var tag = node.Tag;
        if (!tag.IsEmpty && tag.Value.Length > 1 && tag.Value[0] == '!' && tag.Value[1] != '!')
        {
            var shortName = tag.Value.Substring(1);
            var name = shortName is "Ref" or "Condition" ? shortName : "Fn::" + shortName;
            return (name, tag.Value, node, true);
        }

        if (node is YamlMappingNode { Children.Count: 1 } mapping && tag.IsEmpty)
        {
            var entry = mapping.Children.First();
            if (entry.Key is YamlScalarNode { Value: { } key } && (key is "Ref" or "Condition" || key.StartsWith("Fn::", StringComparison.Ordinal)))
            {
                return (key, key, entry.Value, false);
            }
        }

        return null;
    }
}
