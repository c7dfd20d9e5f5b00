# Multi-stage build: front-end assets from the npm registry, then a static Go
# binary on a minimal base. The image needs no network at run time.
FROM node:20-bookworm-slim AS assets
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY scripts/ scripts/
COPY public/ public/
COPY store/seeddata/countries.csv store/seeddata/countries.csv
RUN npm run build

FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
COPY --from=assets /src/public/dist/ public/dist/
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /hwfdash .

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /hwfdash /hwfdash
ENV ADDR=:8080 DATA_DIR=/data
EXPOSE 8080
USER nonroot
ENTRYPOINT ["/hwfdash"]
