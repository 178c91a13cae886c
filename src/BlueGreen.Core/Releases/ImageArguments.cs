using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.Text.RegularExpressions;

namespace BlueGreen.Core.Releases;

/// <summary>
/// Reads what -Image was given (<c>'container=image'</c>, a plain image, a dictionary of them, or a list of
/// <c>'container=image'</c>) and checks every name and image against the rules ECS and Docker apply, so that
/// a bad one is refused before anything is registered or started.
/// </summary>
public static class ImageArguments
{
    /// <summary>ECS takes at most this many characters for a container's image.</summary>
    public const int MaxImageLength = 255;

    private const string Shapes = "Give -Image as 'container=image', a hashtable @{ container = 'image' }, or a plain image for a task with one container, " +
        "where image is [registry[:port]/]repository[:tag][@sha256:digest], e.g. 'web=123456789012.dkr.ecr.eu-west-1.amazonaws.com/web:2.4.1'.";

    private static readonly Regex ContainerName = new("^[A-Za-z0-9_-]{1,255}$", RegexOptions.CultureInvariant);
    private static readonly Regex PathComponent = new("^[a-z0-9]+(?:(?:[._]|__|[-]*)[a-z0-9]+)*$", RegexOptions.CultureInvariant);
    private static readonly Regex DomainComponent = new("^(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])$", RegexOptions.CultureInvariant);
    private static readonly Regex Tag = new(@"^[\w][\w.-]{0,127}$", RegexOptions.ECMAScript);
    private static readonly Regex DigestAlgorithm = new("^[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*$", RegexOptions.CultureInvariant);
    private static readonly Regex Hex = new("^[0-9a-fA-F]+$", RegexOptions.CultureInvariant);

    /// <summary>
    /// Container name to image; the empty name means "the only container". <paramref name="unwrap"/> takes off a
    /// host's wrapper (PowerShell's PSObject) from each value. Throws <see cref="ReleaseException"/> (<c>InvalidImage</c>).
    /// </summary>
    public static IReadOnlyDictionary<string, string> Parse(object? value, Func<object?, object?>? unwrap = null)
    {
        unwrap ??= v => v;
        var images = new Dictionary<string, string>(StringComparer.Ordinal);
        value = unwrap(value);
        switch (value)
        {
            case string text:
                var (plainName, plainImage) = Split(text, allowPlain: true);
                Add(images, plainName, plainImage, text);
                break;
            case IDictionary table:
                foreach (DictionaryEntry entry in table)
                {
                    var key = unwrap(entry.Key)?.ToString()?.Trim() ?? string.Empty;
                    var item = unwrap(entry.Value);
                    if (key.Length == 0)
                    {
                        throw Invalid($"-Image has an entry without a container name (image '{item}').", table, "Name the container each image is for, e.g. @{ web = 'repo/web:2.4.1' }.");
                    }

                    if (item is not string one)
                    {
                        throw Invalid($"The image for container '{key}' is {(item is null ? "empty" : "a " + item.GetType().Name)}, not a text.", table, Shapes);
                    }

                    Add(images, key, Clean(one, key), table);
                }

                break;
            case IEnumerable many:
                foreach (var raw in many)
                {
                    var item = unwrap(raw);
                    if (item is not string text)
                    {
                        throw Invalid($"-Image has an item that is {(item is null ? "empty" : "a " + item.GetType().Name)}: a list takes 'container=image' texts.", value, Shapes);
                    }

                    var (name, image) = Split(text, allowPlain: false);
                    Add(images, name, image, text);
                }

                break;
            default:
                throw Invalid($"-Image cannot be {(value is null ? "empty" : "a " + value.GetType().Name)}.", value, Shapes);
        }

        if (images.Count == 0)
        {
            throw Invalid("-Image names no image.", value, Shapes);
        }

        return images;
    }

    /// <summary>Why <paramref name="image"/> is not an image reference ECS can pull, or null when it is one.</summary>
    public static string? Problem(string? image)
    {
        if (string.IsNullOrEmpty(image))
        {
            return "the image is empty";
        }

        if (image!.Length > MaxImageLength)
        {
            return string.Format(CultureInfo.InvariantCulture, "it is {0} characters long; ECS takes at most {1}", image.Length, MaxImageLength);
        }

        foreach (var c in image)
        {
            if (char.IsWhiteSpace(c) || char.IsControl(c))
            {
                return "it contains a space or a control character";
            }
        }

        var rest = image;
        var at = rest.IndexOf('@');
        if (at >= 0)
        {
            var digest = rest.Substring(at + 1);
            rest = rest.Substring(0, at);
            var problem = DigestProblem(digest);
            if (problem is not null)
            {
                return problem;
            }
        }

        // The tag is after the last ':' that comes after the last '/' (a ':' before it belongs to the registry's port).
        var slash = rest.LastIndexOf('/');
        var colon = rest.LastIndexOf(':');
        if (colon > slash)
        {
            var tag = rest.Substring(colon + 1);
            rest = rest.Substring(0, colon);
            if (tag.Length == 0)
            {
                return "the tag after ':' is empty (leave out the ':' for 'latest', or give a tag such as '2.4.1')";
            }

            if (!Tag.IsMatch(tag))
            {
                return $"the tag '{tag}' is not a tag: 1 to 128 letters, digits, '_', '.' or '-', starting with a letter, digit or '_'";
            }
        }

        if (rest.Length == 0)
        {
            return "the repository name is empty";
        }

        var parts = rest.Split('/');
        var first = 0;
        if (parts.Length > 1 && LooksLikeRegistry(parts[0]))
        {
            var problem = RegistryProblem(parts[0]);
            if (problem is not null)
            {
                return problem;
            }

            first = 1;
        }

        for (var i = first; i < parts.Length; i++)
        {
            var part = parts[i];
            if (part.Length == 0)
            {
                return "the repository has an empty path component (a '/' at the start, at the end, or twice)";
            }

            if (!PathComponent.IsMatch(part))
            {
                return HasCapitals(part) && PathComponent.IsMatch(part.ToLowerInvariant())
                    ? $"the repository '{string.Join("/", parts, first, parts.Length - first)}' has capital letters; repository names are lowercase"
                    : $"the repository component '{part}' is not valid: lowercase letters and digits, separated by '.', '_', '__' or dashes";
            }
        }

        return null;
    }

    private static (string Name, string Image) Split(string text, bool allowPlain)
    {
        var trimmed = text.Trim();
        var equals = trimmed.IndexOf('=');
        if (equals < 0)
        {
            if (!allowPlain)
            {
                throw Invalid($"'{text}' names no container: in a list each item is 'container=image'.", text, Shapes);
            }

            return (string.Empty, Clean(trimmed, null));
        }

        var name = trimmed.Substring(0, equals).Trim();
        if (name.Length == 0)
        {
            throw Invalid($"'{text}' has no container name before '='.", text, "Name the container, e.g. 'web=repo/web:2.4.1'.");
        }

        return (name, Clean(trimmed.Substring(equals + 1), name));
    }

    private static string Clean(string image, string? container)
    {
        var trimmed = image.Trim();
        var problem = Problem(trimmed);
        if (problem is not null)
        {
            var whose = container is null ? $"The image '{image}'" : $"The image for container '{container}' ('{image}')";
            throw Invalid($"{whose} is not a valid image reference: {problem}.", image, Shapes);
        }

        return trimmed;
    }

    private static void Add(Dictionary<string, string> images, string name, string image, object target)
    {
        if (name.Length > 0 && !ContainerName.IsMatch(name))
        {
            throw Invalid($"'{name}' is not a container name: ECS names are 1 to 255 letters, digits, '_' and '-'.", target, "Name a container of the service's task definition, e.g. 'web=repo/web:2.4.1'.");
        }

        if (images.TryGetValue(name, out var before))
        {
            throw Invalid(name.Length == 0 ? "-Image gives more than one image without a container name." : $"-Image gives container '{name}' twice ('{before}' and '{image}').",
                target, "Give each container one image.");
        }

        images[name] = image;
    }

    private static bool LooksLikeRegistry(string part) =>
        part.IndexOf('.') >= 0 || part.IndexOf(':') >= 0 || part == "localhost" || part.StartsWith("[", StringComparison.Ordinal) || HasCapitals(part);

    private static bool HasCapitals(string text)
    {
        foreach (var c in text)
        {
            if (c is >= 'A' and <= 'Z')
            {
                return true;
            }
        }

        return false;
    }

    private static string? RegistryProblem(string registry)
    {
        var host = registry;
        var colon = registry.LastIndexOf(':');
        if (registry.StartsWith("[", StringComparison.Ordinal))
        {
            var close = registry.IndexOf(']');
            if (close < 0)
            {
                return $"the registry '{registry}' has an unclosed '['";
            }

            colon = registry.IndexOf(':', close);
            host = null;
        }

        if (colon >= 0)
        {
            var port = registry.Substring(colon + 1);
            if (port.Length == 0 || port.Length > 5 || !int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out var number) || number > 65535)
            {
                return $"the registry '{registry}' has a port '{port}' that is not a number from 0 to 65535";
            }

            host = host is null ? null : registry.Substring(0, colon);
        }

        if (host is not null)
        {
            if (host.Length == 0)
            {
                return $"the registry '{registry}' has no host name";
            }

            foreach (var component in host.Split('.'))
            {
                if (!DomainComponent.IsMatch(component))
                {
                    return $"the registry host '{host}' is not a host name";
                }
            }

            // A first part with capitals and no '.', ':' or port is a repository, and repositories are lowercase.
            if (host.IndexOf('.') < 0 && colon < 0 && host != "localhost")
            {
                return $"the repository '{host}' has capital letters; repository names are lowercase";
            }
        }

        return null;
    }

    private static string? DigestProblem(string digest)
    {
        var colon = digest.IndexOf(':');
        if (colon <= 0)
        {
            return $"the digest '{digest}' is not algorithm:hex, e.g. sha256: and 64 hex digits";
        }

        var algorithm = digest.Substring(0, colon);
        var hex = digest.Substring(colon + 1);
        if (!DigestAlgorithm.IsMatch(algorithm))
        {
            return $"the digest algorithm '{algorithm}' is not one";
        }

        if (!Hex.IsMatch(hex))
        {
            return $"the digest '{digest}' has characters that are not hex digits after '{algorithm}:'";
        }

        var expected = algorithm switch
        {
            "sha256" => 64,
            "sha384" => 96,
            "sha512" => 128,
            _ => 0,
        };
        if (expected > 0 && hex.Length != expected)
        {
            return string.Format(CultureInfo.InvariantCulture, "the {0} digest has {1} hex digits where it takes {2}", algorithm, hex.Length, expected);
        }

        if (expected == 0 && hex.Length < 32)
        {
            return $"the digest '{digest}' has fewer than 32 hex digits";
        }

        return HasCapitals(hex) && algorithm.StartsWith("sha", StringComparison.Ordinal)
            ? $"the digest '{digest}' has capital hex digits; digests are lowercase"
            : null;
    }

    private static ReleaseException Invalid(string message, object? target, string action) =>
        new("InvalidImage", ReleaseErrorKind.InvalidArgument, message, target, action);
}
