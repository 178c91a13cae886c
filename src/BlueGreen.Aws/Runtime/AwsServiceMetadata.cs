namespace BlueGreen.Aws.Runtime;

/// <summary>What the wire needs to know about one AWS service (from its API model's metadata).</summary>
public sealed class AwsServiceMetadata
{
    private AwsServiceMetadata(string serviceId, string endpointPrefix, string signingName, string apiVersion, string? targetPrefix)
    {
        ServiceId = serviceId;
        EndpointPrefix = endpointPrefix;
        SigningName = signingName;
        ApiVersion = apiVersion;
        TargetPrefix = targetPrefix;
        EnvironmentSuffix = serviceId.Replace(' ', '_').ToUpperInvariant();
    }

    public static AwsServiceMetadata CodeDeploy { get; } = new("CodeDeploy", "codedeploy", "codedeploy", "2014-10-06", "CodeDeploy_20141006");

    public static AwsServiceMetadata Ecs { get; } = new("ECS", "ecs", "ecs", "2014-11-13", "AmazonEC2ContainerServiceV20141113");

    public static AwsServiceMetadata Lambda { get; } = new("Lambda", "lambda", "lambda", "2015-03-31", null);

    public static AwsServiceMetadata ElasticLoadBalancingV2 { get; } = new("Elastic Load Balancing v2", "elasticloadbalancing", "elasticloadbalancing", "2015-12-01", null);

    public static AwsServiceMetadata CloudWatch { get; } = new("CloudWatch", "monitoring", "monitoring", "2010-08-01", "GraniteServiceVersion20100801");

    /// <summary>The model's <c>serviceId</c>.</summary>
    public string ServiceId { get; }

    public string EndpointPrefix { get; }

    /// <summary>The SigV4 credential scope's service name.</summary>
    public string SigningName { get; }

    public string ApiVersion { get; }

    /// <summary>The <c>X-Amz-Target</c> prefix of the JSON protocols.</summary>
    public string? TargetPrefix { get; }

    /// <summary>The suffix of <c>AWS_ENDPOINT_URL_&lt;SERVICE&gt;</c>, as the SDKs derive it from the service id.</summary>
    public string EnvironmentSuffix { get; }

    public override string ToString() => ServiceId;
}
