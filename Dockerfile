# syntax=docker/dockerfile:1
# One image for the three processes: docker build -t switchboard:0.1.0 .
# The Kubernetes Deployments pick the jar with their command (java -jar /app/<name>-fat.jar);
# without one the container runs the gateway in embedded mode (chat and simulator in the same
# JVM) on port 8080.
#
# The base images are build arguments so that a machine without a registry can bring its own
# (deploy-check/image/build-image.sh makes Debian ones with mmdebstrap and builds this file with
# buildah in CI). BUILD_IMAGE needs a JDK 17 and mvn on PATH; RUNTIME_IMAGE a JRE 17 (java on
# PATH), groupadd and useradd. MAVEN_FLAGS is added to the build's mvn command (CI: -o with the
# host's repository mounted). The defaults are the public images: plain `docker build` uses them.
ARG BUILD_IMAGE=maven:3.9-eclipse-temurin-17
ARG RUNTIME_IMAGE=eclipse-temurin:17-jre

# --- build: Maven + JDK 17 ----------------------------------------------------------------
FROM ${BUILD_IMAGE} AS build
ARG MAVEN_FLAGS=
WORKDIR /src
COPY . .
# -am builds the modules the three fat jars need; tests run in CI, not in the image build.
RUN --mount=type=cache,target=/root/.m2 \
    mvn -B -q ${MAVEN_FLAGS} package -DskipTests -pl gateway-verticle,chat-verticle,simulator-verticle -am

# --- run: JRE 17 only ---------------------------------------------------------------------
FROM ${RUNTIME_IMAGE}
RUN groupadd --system --gid 10001 switchboard \
 && useradd --system --uid 10001 --gid 10001 --home-dir /app --no-create-home switchboard \
 && mkdir /data && chown 10001:10001 /data
WORKDIR /app
# The embedded mode's history files (docs/operations.md, "History on disk"): mount a volume here
# to keep them across containers. Clustered processes write nothing there.
ENV SWITCHBOARD_DATA_DIR=/data
COPY --from=build /src/gateway-verticle/target/gateway-fat.jar \
                  /src/chat-verticle/target/chat-fat.jar \
                  /src/simulator-verticle/target/simulator-fat.jar \
                  /app/
USER 10001:10001
# http (gateway), Hazelcast, clustered event bus (with -cluster-port 5702)
EXPOSE 8080 5701 5702
CMD ["java", "-jar", "/app/gateway-fat.jar"]
