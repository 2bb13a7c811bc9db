# syntax=docker/dockerfile:1
# One image for the three processes: docker build -t switchboard:0.1.0 .
# The Kubernetes Deployments pick the jar with their command (java -jar /app/<name>-fat.jar);
# without one the container runs the gateway in embedded mode (chat and simulator in the same
# JVM) on port 8080.

# --- build: Maven + JDK 17 ----------------------------------------------------------------
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY . .
# -am builds the modules the three fat jars need; tests run in CI, not in the image build.
RUN --mount=type=cache,target=/root/.m2 \
    mvn -B -q package -DskipTests -pl gateway-verticle,chat-verticle,simulator-verticle -am

# --- run: JRE 17 only ---------------------------------------------------------------------
FROM eclipse-temurin:17-jre
RUN groupadd --system --gid 10001 switchboard \
 && useradd --system --uid 10001 --gid 10001 --home-dir /app --no-create-home switchboard
WORKDIR /app
COPY --from=build /src/gateway-verticle/target/gateway-fat.jar \
                  /src/chat-verticle/target/chat-fat.jar \
                  /src/simulator-verticle/target/simulator-fat.jar \
                  /app/
USER 10001:10001
# http (gateway), Hazelcast, clustered event bus (with -cluster-port 5702)
EXPOSE 8080 5701 5702
CMD ["java", "-jar", "/app/gateway-fat.jar"]
