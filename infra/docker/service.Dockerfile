# syntax=docker/dockerfile:1
#
# One Dockerfile for all four services; the project is chosen with the SERVICE build argument
# (Ingestion | Embedding | Scoring | Notification), which names services/<SERVICE>/Platform.<SERVICE>.csproj.
# Build context: the repository root.
#
#   docker build -f infra/docker/service.Dockerfile --build-arg SERVICE=Ingestion -t platform/ingestion .
#
# docker-compose.yml at the root builds every service this way.

ARG DOTNET_VERSION=10.0

# ---------------------------------------------------------------------------------------------
# build: restore from the project files alone (cached until a csproj or props file changes),
# then publish. Runs on the build machine's own architecture and cross-targets TARGETARCH.
# ---------------------------------------------------------------------------------------------
FROM --platform=$BUILDPLATFORM mcr.microsoft.com/dotnet/sdk:${DOTNET_VERSION}-noble AS build
ARG SERVICE
ARG TARGETARCH
# Extra MSBuild arguments for restore and publish, e.g. "-p:SomeProperty=value" (empty by default).
ARG MSBUILD_ARGS=""
RUN test -n "$SERVICE" || { echo "build argument SERVICE is required (Ingestion|Embedding|Scoring|Notification)" >&2; exit 1; }
WORKDIR /src

COPY global.json Directory.Build.props Directory.Packages.props ./
COPY shared/Platform.Contracts/Platform.Contracts.csproj             shared/Platform.Contracts/
COPY shared/Platform.Data/Platform.Data.csproj                       shared/Platform.Data/
COPY shared/Platform.Messaging/Platform.Messaging.csproj             shared/Platform.Messaging/
COPY shared/Platform.ServiceDefaults/Platform.ServiceDefaults.csproj shared/Platform.ServiceDefaults/
COPY services/${SERVICE}/Platform.${SERVICE}.csproj                  services/${SERVICE}/
RUN --mount=type=cache,id=nuget,target=/root/.nuget/packages \
    dotnet restore "services/${SERVICE}/Platform.${SERVICE}.csproj" -a "$TARGETARCH" $MSBUILD_ARGS

COPY shared/ shared/
COPY services/${SERVICE}/ services/${SERVICE}/
RUN --mount=type=cache,id=nuget,target=/root/.nuget/packages \
    dotnet publish "services/${SERVICE}/Platform.${SERVICE}.csproj" \
        -c Release -a "$TARGETARCH" --no-restore -p:UseAppHost=false $MSBUILD_ARGS \
        -o /app

# ---------------------------------------------------------------------------------------------
# runtime: ASP.NET Core on Ubuntu 24.04. Noble rather than Debian 12 because TorchSharp's
# libtorch needs GLIBCXX_3.4.32 (libstdc++ from GCC 13+); all services share the base.
# ---------------------------------------------------------------------------------------------
FROM mcr.microsoft.com/dotnet/aspnet:${DOTNET_VERSION}-noble AS runtime
ARG SERVICE

# curl only for the container health check (docker-compose.yml: curl -fsS .../health/ready).
RUN apt-get update \
    && apt-get install -y --no-install-recommends curl \
    && rm -rf /var/lib/apt/lists/*

# The service's SQLite file lives under /data (a volume in compose). A named volume is seeded
# from the image on first use, so it inherits this ownership and the app user can write to it.
RUN mkdir -p /data && chown "$APP_UID:$APP_UID" /data

ENV ASPNETCORE_HTTP_PORTS=8080 \
    APP_ASSEMBLY=Platform.${SERVICE}.dll
WORKDIR /app
COPY --from=build /app ./

# The non-root "app" user that the .NET images define (APP_UID, 1654).
USER $APP_UID
EXPOSE 8080

# exec: dotnet becomes PID 1 and receives SIGTERM directly (graceful shutdown);
# anything given as the command is passed on to the service as arguments.
ENTRYPOINT ["/bin/sh", "-c", "exec dotnet \"/app/$APP_ASSEMBLY\" \"$@\"", "--"]
